// The messages `broker demo` and `broker bench e2e` replay: the fixture night shipped in the repo (real ZTF and
// Rubin alerts, including the corrupt and schema-less ones, which must come out as dead letters), optionally with
// a generated night (real/bogus injections on the fixtures' scenes) for a stream long enough to warm the novelty
// forests.
using Broker.Alerts.Decoding;
using Broker.Cli.Hosting;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Commands.Pipeline;

internal static class DemoNight
{
    public const string FixtureFolder = "tests/fixtures/alerts";

    /// <summary>Every alert file of the fixture folder, in path order.</summary>
    public static List<byte[]> Fixtures()
    {
        var root = RepoPaths.Resolve(FixtureFolder);
        // What the source cannot read goes on as the bytes it is: the demo's bad input, for the dead-letter topic.
        return [.. Broker.Archive.AlertSources.Open([root]).Read().Select(i => i.Message ?? File.ReadAllBytes(i.Path))];
    }

    /// <summary><paramref name="count"/> generated alert messages from the fixtures' scenes (both splits).</summary>
    public static List<byte[]> Generated(int count, int seed)
    {
        if (count <= 0)
        {
            return [];
        }

        var library = SceneLibrary.Load([RepoPaths.Resolve(FixtureFolder)], new AlertDecoder());
        var generator = new LabeledSetGenerator([.. library.Train, .. library.HeldOut], seed);
        var messages = new byte[count][];
        Parallel.For(0, count, i => messages[i] = generator.Generate(i).Message);
        return [.. messages];
    }

    /// <summary>Fixtures spread evenly through the generated night (so dead letters appear all along the stream).</summary>
    public static List<byte[]> Mix(List<byte[]> generated, List<byte[]> fixtures)
    {
        if (generated.Count == 0)
        {
            return fixtures;
        }

        var result = new List<byte[]>(generated.Count + fixtures.Count);
        var step = Math.Max(1, generated.Count / Math.Max(1, fixtures.Count));
        var f = 0;
        for (var i = 0; i < generated.Count; i++)
        {
            if (i % step == 0 && f < fixtures.Count)
            {
                result.Add(fixtures[f++]);
            }

            result.Add(generated[i]);
        }

        result.AddRange(fixtures.Skip(f));
        return result;
    }
}
