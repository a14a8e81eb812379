using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;

namespace Broker.Engine.Tests;

/// <summary>Fixture alerts and models copied beside the tests, and generated alerts from the fixtures' scenes.</summary>
internal static class TestData
{
    public static string Root => AppContext.BaseDirectory;

    public static string Fixtures => Path.Combine(Root, "fixtures", "alerts");

    public static string RbModel => Path.Combine(Root, "models", "rb");

    /// <summary>The CNN the broker serves by default (int8).</summary>
    public static string CnnModel => Path.Combine(Root, "models", "cnn-int8");

    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path.Combine(Fixtures, relative));

    public static Alert Decode(string relative) => new AlertDecoder().Decode(Bytes(relative))[0];

    /// <summary>Every fixture message (good, corrupt and schema-less), by relative path.</summary>
    public static IReadOnlyList<(string Path, byte[] Bytes)> AllFixtureMessages() =>
        [.. Directory.EnumerateFiles(Fixtures, "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p => (Path.GetRelativePath(Fixtures, p), File.ReadAllBytes(p)))];

    private static readonly Lazy<LabeledSetGenerator> Generator = new(() =>
    {
        var library = SceneLibrary.Load([Fixtures], new AlertDecoder());
        return new LabeledSetGenerator([.. library.Train, .. library.HeldOut], 11);
    });

    public static List<byte[]> Generated(int count, int start = 0) => [.. Generator.Value.Generate(start, count).Select(a => a.Message)];
}
