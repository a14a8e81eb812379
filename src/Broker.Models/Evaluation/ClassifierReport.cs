// The figures a real/bogus evaluation reports on a labeled set: AUC, missed detections at 1% false positives,
// and per artifact family how many pass the 1%-FPR threshold (and the AUC of real against that family alone),
// plus missed detections by signal-to-noise bin.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Broker.Models.Evaluation;

public sealed record LabeledScore(float Score, bool IsReal, string Family, double Snr);

public sealed class ClassifierReport
{
    public const double FalsePositiveRate = 0.01;

    private static readonly double[] SnrEdges = [5, 10, 20, 50, 150];

    private ClassifierReport()
    {
    }

    public int Count { get; private init; }

    public double Auc { get; private init; }

    public double MissedAt1PctFpr { get; private init; }

    public double Threshold { get; private init; }

    public IReadOnlyList<(string Family, int Count, double PassRate, double AucVsReal)> Families { get; private init; } = [];

    public IReadOnlyList<(string Bin, int Count, double Missed)> SnrBins { get; private init; } = [];

    public static ClassifierReport Of(IReadOnlyList<LabeledScore> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var scores = items.Select(i => i.Score).ToArray();
        var labels = items.Select(i => i.IsReal).ToArray();
        var (missed, threshold) = Metrics.MissedDetectionRate(scores, labels, FalsePositiveRate);
        var reals = items.Where(i => i.IsReal).ToList();
        var families = items.Where(i => !i.IsReal).GroupBy(i => i.Family).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var subset = reals.Concat(g).ToList();
            return (g.Key, g.Count(), g.Count(i => i.Score >= threshold) / (double)g.Count(),
                Metrics.RocAuc(subset.Select(i => i.Score).ToArray(), subset.Select(i => i.IsReal).ToArray()));
        }).ToList();
        var bins = new List<(string, int, double)>();
        for (var b = 0; b + 1 < SnrEdges.Length; b++)
        {
            var inBin = reals.Where(r => r.Snr >= SnrEdges[b] && r.Snr < SnrEdges[b + 1]).ToList();
            if (inBin.Count > 0)
            {
                bins.Add(($"{SnrEdges[b]:0}-{SnrEdges[b + 1]:0}", inBin.Count, inBin.Count(r => r.Score < threshold) / (double)inBin.Count));
            }
        }

        return new ClassifierReport
        {
            Count = items.Count,
            Auc = Metrics.RocAuc(scores, labels),
            MissedAt1PctFpr = missed,
            Threshold = threshold,
            Families = families,
            SnrBins = bins,
        };
    }

    public string ToText(string title)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{title}: n={Count} auc={Auc:F4} missed@1%fpr={MissedAt1PctFpr:P2} (threshold {Threshold:F4})\n");
        sb.Append("  bogus family       n     passes  auc(real vs family)\n");
        foreach (var (family, count, pass, auc) in Families)
        {
            sb.Append(inv, $"  {family,-14} {count,6} {pass,9:P2}  {auc:F4}\n");
        }

        sb.Append("  real, by snr      n     missed\n");
        foreach (var (bin, count, missed) in SnrBins)
        {
            sb.Append(inv, $"  snr {bin,-10} {count,6} {missed,9:P2}\n");
        }

        return sb.ToString();
    }

    public JsonObject ToJson()
    {
        var families = new JsonObject();
        foreach (var (family, count, pass, auc) in Families)
        {
            families[family] = new JsonObject { ["n"] = count, ["pass_rate_at_threshold"] = Metrics.Json(pass), ["auc_vs_real"] = Metrics.Json(auc) };
        }

        var bins = new JsonObject();
        foreach (var (bin, count, missed) in SnrBins)
        {
            bins[bin] = new JsonObject { ["n"] = count, ["missed"] = Metrics.Json(missed) };
        }

        return new JsonObject
        {
            ["n"] = Count,
            ["auc"] = Metrics.Json(Auc),
            ["mdr_at_1pct_fpr"] = Metrics.Json(MissedAt1PctFpr),
            ["threshold_at_1pct_fpr"] = Metrics.Json(Threshold, 6),
            ["families"] = families,
            ["real_by_snr"] = bins,
        };
    }
}
