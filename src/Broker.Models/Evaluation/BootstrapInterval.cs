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

        var byGroup = Groups(groups);
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

    /// <summary>
    /// The 95% interval of AUC(a) - AUC(b) on the same alerts, both computed on each resample of the groups: whether
    /// one score is better than another by more than chance, which two overlapping intervals cannot say.
    /// </summary>
    public static (double Low, double High) AucDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<bool> positive, ReadOnlySpan<int> groups, int repeats = 1000, int seed = 1)
    {
        if (a.Length != b.Length || a.Length != positive.Length || a.Length != groups.Length)
        {
            throw new ArgumentException("scores, labels and groups differ in length");
        }

        var byGroup = Groups(groups);
        if (byGroup.Length < 2)
        {
            return (double.NaN, double.NaN);
        }

        var random = new Random(seed);
        var differences = new List<double>(repeats);
        var (drawnA, drawnB, drawnLabels) = (new List<float>(), new List<float>(), new List<bool>());
        for (var r = 0; r < repeats; r++)
        {
            drawnA.Clear();
            drawnB.Clear();
            drawnLabels.Clear();
            for (var g = 0; g < byGroup.Length; g++)
            {
                foreach (var i in byGroup[random.Next(byGroup.Length)])
                {
                    drawnA.Add(a[i]);
                    drawnB.Add(b[i]);
                    drawnLabels.Add(positive[i]);
                }
            }

            var labels = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(drawnLabels);
            var difference = Metrics.RocAuc(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(drawnA), labels)
                - Metrics.RocAuc(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(drawnB), labels);
            if (!double.IsNaN(difference))
            {
                differences.Add(difference);
            }
        }

        if (differences.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        differences.Sort();
        return (Percentile(differences, 0.025), Percentile(differences, 0.975));
    }

    private static List<int>[] Groups(ReadOnlySpan<int> groups)
    {
        var members = new Dictionary<int, List<int>>();
        for (var i = 0; i < groups.Length; i++)
        {
            if (!members.TryGetValue(groups[i], out var list))
            {
                members[groups[i]] = list = [];
            }

            list.Add(i);
        }

        return [.. members.Values];
    }

    private static double Percentile(List<double> sorted, double q)
    {
        var at = q * (sorted.Count - 1);
        var lo = (int)Math.Floor(at);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((at - lo) * (sorted[hi] - sorted[lo]));
    }
}
