// A 95% interval for an AUC by the cluster bootstrap: whole groups (objects, nights, origins) are drawn with
// replacement, not single alerts, because alerts of one object or night are not independent, and an interval over
// alerts would claim more certainty than the data holds. Seeded, so a report is reproducible.
namespace Broker.Models.Evaluation;

public static class BootstrapInterval
{
    /// <summary>
    /// The 2.5th and 97.5th percentiles of the AUC over <paramref name="repeats"/> resamples of the groups; draws
    /// with one class only are left out. NaN, NaN when fewer than two groups or no draw has both classes.
    /// </summary>
    public static (double Low, double High) Auc(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positive, ReadOnlySpan<int> groups, int repeats = 1000, int seed = 1)
    {
        if (scores.Length != positive.Length || scores.Length != groups.Length)
        {
            throw new ArgumentException("scores, labels and groups differ in length");
        }

        var members = new Dictionary<int, List<int>>();
        for (var i = 0; i < groups.Length; i++)
        {
            if (!members.TryGetValue(groups[i], out var list))
            {
                members[groups[i]] = list = [];
            }

            list.Add(i);
        }

        var byGroup = members.Values.ToArray();
        if (byGroup.Length < 2)
        {
            return (double.NaN, double.NaN);
        }

        var random = new Random(seed);
        var aucs = new List<double>(repeats);
        var drawnScores = new List<float>();
        var drawnLabels = new List<bool>();
        for (var r = 0; r < repeats; r++)
        {
            drawnScores.Clear();
            drawnLabels.Clear();
            for (var g = 0; g < byGroup.Length; g++)
            {
                foreach (var i in byGroup[random.Next(byGroup.Length)])
                {
                    drawnScores.Add(scores[i]);
                    drawnLabels.Add(positive[i]);
                }
            }

            var auc = Metrics.RocAuc(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(drawnScores), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(drawnLabels));
            if (!double.IsNaN(auc))
            {
                aucs.Add(auc);
            }
        }

        if (aucs.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        aucs.Sort();
        return (Percentile(aucs, 0.025), Percentile(aucs, 0.975));
    }

    private static double Percentile(List<double> sorted, double q)
    {
        var at = q * (sorted.Count - 1);
        var lo = (int)Math.Floor(at);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((at - lo) * (sorted[hi] - sorted[lo]));
    }
}
