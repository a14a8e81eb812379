// What a subscription of the form `score >= T and positive` (likely_real) lets through of a labeled set: the share of
// bogus alerts that pass, overall and per artifact family, and the share of reals it keeps, each with a 95% interval
// resampling the groups the alerts were drawn from (for generated alerts their host scenes: alerts of one scene are
// not independent). Issue 29 states its bar for generated artifacts on LSSTCam scenes in these terms.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Broker.Models.Evaluation;

/// <summary>One scored alert of a labeled set: its score, truth, family, sign of the difference and group.</summary>
public readonly record struct GatedScore(float Score, bool IsReal, string Family, bool Positive, int Group);

public sealed class ThresholdPass
{
    private ThresholdPass()
    {
    }

    public double Threshold { get; private init; }

    public int Bogus { get; private init; }

    public int BogusPassing { get; private init; }

    public (double Low, double High) BogusInterval { get; private init; }

    public int Reals { get; private init; }

    public int RealsKept { get; private init; }

    public (double Low, double High) RealsInterval { get; private init; }

    public IReadOnlyList<(string Family, int Count, int Passing)> Families { get; private init; } = [];

    public double BogusPassRate => Bogus == 0 ? double.NaN : BogusPassing / (double)Bogus;

    public double RealsKeptRate => Reals == 0 ? double.NaN : RealsKept / (double)Reals;

    /// <summary>Whether an alert passes `score >= threshold and positive`.</summary>
    public static bool Passes(in GatedScore item, double threshold) => item.Positive && item.Score >= threshold;

    public static ThresholdPass Of(IReadOnlyList<GatedScore> items, double threshold)
    {
        ArgumentNullException.ThrowIfNull(items);
        var bogus = items.Where(i => !i.IsReal).ToList();
        var reals = items.Where(i => i.IsReal).ToList();
        return new ThresholdPass
        {
            Threshold = threshold,
            Bogus = bogus.Count,
            BogusPassing = bogus.Count(i => Passes(i, threshold)),
            BogusInterval = BootstrapInterval.Share([.. bogus.Select(i => Passes(i, threshold))], [.. bogus.Select(i => i.Group)]),
            Reals = reals.Count,
            RealsKept = reals.Count(i => Passes(i, threshold)),
            RealsInterval = BootstrapInterval.Share([.. reals.Select(i => Passes(i, threshold))], [.. reals.Select(i => i.Group)]),
            Families = [.. bogus.GroupBy(i => i.Family).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Count(), g.Count(i => Passes(i, threshold))))],
        };
    }

    public string ToText(string title)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{title} (score >= {Threshold:F2} and positive): bogus passing {BogusPassing} of {Bogus} = {BogusPassRate:P2} [{BogusInterval.Low:P2}, {BogusInterval.High:P2}]; ");
        sb.Append(inv, $"reals kept {RealsKept} of {Reals} = {RealsKeptRate:P2} [{RealsInterval.Low:P2}, {RealsInterval.High:P2}]\n");
        foreach (var (family, count, passing) in Families)
        {
            sb.Append(inv, $"  {family,-14} {count,6} {passing / (double)count,9:P2}\n");
        }

        return sb.ToString();
    }

    public JsonObject ToJson()
    {
        var families = new JsonObject();
        foreach (var (family, count, passing) in Families)
        {
            families[family] = new JsonObject { ["n"] = count, ["passing"] = passing };
        }

        return new JsonObject
        {
            ["threshold"] = Threshold,
            ["bogus"] = Bogus,
            ["bogus_passing"] = BogusPassing,
            ["bogus_pass_rate"] = Metrics.Json(BogusPassRate),
            ["bogus_pass_low"] = Metrics.Json(BogusInterval.Low),
            ["bogus_pass_high"] = Metrics.Json(BogusInterval.High),
            ["reals"] = Reals,
            ["reals_kept"] = RealsKept,
            ["reals_kept_rate"] = Metrics.Json(RealsKeptRate),
            ["families"] = families,
        };
    }
}
