// The real alerts scenes are drawn from, split once into training and held-out scenes by a hash of the alert id,
// so a held-out evaluation never sees a sky the model was trained on.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Simulation.Rendering;

namespace Broker.Simulation.Scenes;

public enum SceneSplit
{
    Train,
    HeldOut,
}

public sealed class SceneLibrary
{
    /// <summary>Share of scenes held out for evaluation.</summary>
    public const double HeldOutShare = 0.25;

    private SceneLibrary(IReadOnlyList<Scene> train, IReadOnlyList<Scene> heldOut, int skipped)
    {
        Train = train;
        HeldOut = heldOut;
        Skipped = skipped;
    }

    public IReadOnlyList<Scene> Train { get; }

    public IReadOnlyList<Scene> HeldOut { get; }

    /// <summary>Alerts that decoded but cannot host a scene (no FITS cutouts, mismatched sizes, candidate at an edge).</summary>
    public int Skipped { get; }

    public IReadOnlyList<Scene> Of(SceneSplit split) => split == SceneSplit.Train ? Train : HeldOut;

    public static SceneSplit SplitOf(long alertId) => Rng.Mix(0x5CE4E, alertId) % 1000 < HeldOutShare * 1000 ? SceneSplit.HeldOut : SceneSplit.Train;

    /// <summary>
    /// Scenes from every alert file under <paramref name="paths"/> (files or folders); undecodable files are skipped.
    /// Alerts <paramref name="trainOn"/> refuses never host a training scene (the CLI keeps the objects of the real-alert
    /// evaluation half out of training); held-out scenes are chosen as without it.
    /// </summary>
    public static SceneLibrary Load(IEnumerable<string> paths, AlertDecoder decoder, Func<Alert, bool>? trainOn = null)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        var seen = new HashSet<long>();
        var train = new List<Scene>();
        var heldOut = new List<Scene>();
        var skipped = 0;
        foreach (var (_, alerts) in new Sources.AlertSource(paths).Alerts(decoder))
        {

            foreach (var alert in alerts)
            {
                if (!seen.Add(alert.AlertId))
                {
                    continue; // the same alert re-encoded in several schema versions
                }

                var split = SplitOf(alert.AlertId);
                if (split == SceneSplit.Train && trainOn is not null && !trainOn(alert))
                {
                    continue;
                }

                if (Scene.From(alert) is not { } scene)
                {
                    skipped++;
                    continue;
                }

                (split == SceneSplit.HeldOut ? heldOut : train).Add(scene);
            }
        }

        return new SceneLibrary(train, heldOut, skipped);
    }
}
