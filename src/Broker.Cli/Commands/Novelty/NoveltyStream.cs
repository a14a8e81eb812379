// The labeled stream `broker eval novelty` measures on: ordinary generated alerts (real injections and the usual
// artifacts) with a few rare kinds mixed in at random places. Rare kinds are made by the generator too: two
// artifact families held out of the ordinary stream (streaks, ghosts: unusual shapes) and three light-curve
// oddities written into a real injection's history (fast risers, extreme colours, long large-amplitude histories).
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Features.LightCurve;
using Broker.Simulation.Generation;
using Broker.Simulation.Rendering;

namespace Broker.Cli.Commands.Novelty;

internal sealed record NoveltyStream(float[] Vectors, string?[] RareKind, int Count)
{
    public static readonly string[] Kinds = ["fast_riser", "extreme_color", "odd_history", "streak", "ghost"];

    public bool IsRare(int i) => RareKind[i] is not null;

    public static NoveltyStream Generate(LabeledSetGenerator ordinary, LabeledSetGenerator rare, int normalCount, int perKind, int seed, int warmup)
    {
        // Ordinary indexes: every generator index whose family is not held out.
        var normalIndexes = new List<int>(normalCount);
        for (var i = 0; normalIndexes.Count < normalCount; i++)
        {
            var family = LabeledSetGenerator.FamilyOf(i);
            if (family is not (ArtifactFamily.Streak or ArtifactFamily.Ghost))
            {
                normalIndexes.Add(i);
            }
        }

        // Rare items: (kind, generator index) with the right family for each kind.
        var rareItems = Kinds.SelectMany(kind => RareIndexes(kind, perKind).Select(i => (Kind: kind, Index: i))).ToList();

        // Place rare items at random positions after the warm-up.
        var total = normalCount + rareItems.Count;
        var order = new (string? Kind, int Index)[total];
        var random = new Rng(seed, 424242);
        var positions = Enumerable.Range(warmup, total - warmup).OrderBy(_ => random.Uniform()).Take(rareItems.Count).ToHashSet();
        int n = 0, r = 0;
        for (var p = 0; p < total; p++)
        {
            order[p] = positions.Contains(p) ? (rareItems[r].Kind, rareItems[r++].Index) : (null, normalIndexes[n++]);
        }

        var width = FeatureCatalog.Count;
        var vectors = new float[total * width];
        using var decoders = new ThreadLocal<AlertDecoder>(() => new AlertDecoder());
        Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, p =>
        {
            var (kind, index) = order[p];
            var generator = kind is null ? ordinary : rare;
            var alert = decoders.Value!.Decode(generator.Generate(index).Message)[0];
            alert = kind is "fast_riser" or "extreme_color" or "odd_history"
                ? WithHistory(alert, OddHistory(alert, kind, new Rng(seed, index)))
                : WithHistory(alert, OrdinaryHistory(alert, new Rng(seed, index + 7_000_000)));

            AlertFeatures.Extract(alert, vectors.AsSpan(p * width, width));
        });
        return new NoveltyStream(vectors, [.. order.Select(o => o.Kind)], total);
    }

    /// <summary>
    /// The first <paramref name="count"/> generator indexes of <paramref name="kind"/>'s family (streaks, ghosts; real
    /// injections for the light-curve kinds), from a block of indexes of the kind's own.
    /// </summary>
    public static IEnumerable<int> RareIndexes(string kind, int count)
    {
        var want = kind switch { "streak" => ArtifactFamily.Streak, "ghost" => ArtifactFamily.Ghost, _ => ArtifactFamily.Real };
        for (var i = Array.IndexOf(Kinds, kind) * 10_000; count > 0; i++)
        {
            if (LabeledSetGenerator.FamilyOf(i) == want)
            {
                count--;
                yield return i;
            }
        }
    }

    /// <summary>
    /// A generated alert keeps its scene's history, whose magnitudes belong to the scene's original object, not to
    /// the injected source: left as is, "rise rates" of several mag/day would be ordinary. Ordinary histories keep
    /// the scene's epochs and bands and get magnitudes of a slowly evolving source of ordinary colour.
    /// </summary>
    private static List<Detection> OrdinaryHistory(Alert alert, Rng rng)
    {
        var slope = rng.Uniform(-0.05, 0.05); // mag/day
        var color = rng.Uniform(-0.2, 0.8);   // bluer minus redder band
        var here = LightCurveFeatures.BandIndex(alert.Band);
        return [.. alert.History.Select(d =>
        {
            var there = LightCurveFeatures.BandIndex(d.Band);
            var offset = there == here ? 0 : there < here ? color : -color;
            var mag = alert.Mag + (slope * (d.Mjd - alert.Mjd)) + offset + (0.1 * rng.Gaussian());
            return d with { Mag = mag, MagErr = 0.05 };
        })];
    }

    internal static List<Detection> OddHistory(Alert alert, string kind, Rng rng)
    {
        var history = new List<Detection>();
        Detection At(double daysBefore, string band, double mag) =>
            new(alert.Mjd - daysBefore, band, mag, 0.05, true, alert.Ra, alert.Dec);
        switch (kind)
        {
            case "fast_riser":
                // 2.5-4 mag brighter than a day ago in the same band: faster than almost any supernova.
                var rise = rng.Uniform(2.5, 4);
                history.Add(At(1.0, alert.Band, alert.Mag + rise));
                history.Add(At(2.0, alert.Band, alert.Mag + rise + 0.3));
                break;
            case "extreme_color":
                // Seen 0.05 day ago in another band, 2-3 mag redder or bluer than ordinary sources.
                var other = alert.Band == "g" ? "r" : "g";
                var color = rng.Uniform(2, 3) * (rng.Chance(0.5) ? 1 : -1);
                history.Add(At(0.05, other, other == "g" ? alert.Mag + color : alert.Mag - color));
                break;
            default:
                // Forty detections over four years swinging by 4-5 magnitudes: a long-lived, large-amplitude variable.
                var amplitude = rng.Uniform(4, 5);
                for (var k = 0; k < 40; k++)
                {
                    history.Add(At(30 + (k * 36.5), alert.Band, alert.Mag + (amplitude * (0.5 + (0.5 * Math.Sin(k * 1.3))))));
                }

                break;
        }

        return history;
    }

    internal static Alert WithHistory(Alert a, IReadOnlyList<Detection> history) => new()
    {
        Survey = a.Survey,
        AlertId = a.AlertId,
        ObjectId = a.ObjectId,
        SchemaVersion = a.SchemaVersion,
        Mjd = a.Mjd,
        Ra = a.Ra,
        Dec = a.Dec,
        Band = a.Band,
        Mag = a.Mag,
        MagErr = a.MagErr,
        IsPositive = a.IsPositive,
        Raw = a.Raw,
        Source = a.Source,
        History = history,
        UpperLimits = a.UpperLimits,
        Science = a.Science,
        Template = a.Template,
        Difference = a.Difference,
        SurveyScore = a.SurveyScore,
    };
}
