// A 95% interval for an AUC (or a share) by the cluster bootstrap: whole groups (objects, nights, origins) are drawn with
// replacement, not single alerts, because alerts of one object or night are not independent, and an interval over
// alerts would claim more certainty than the data holds. Seeded, so a report is reproducible.
using System.Runtime.InteropServices;

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

        var (s, l) = (scores.ToArray(), positive.ToArray());
        return Resample(groups, repeats, seed, drawn => Metrics.RocAuc(Pick(s, drawn), Pick(l, drawn)));
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

        var (x, y, l) = (a.ToArray(), b.ToArray(), positive.ToArray());
        return Resample(groups, repeats, seed, drawn =>
        {
            var labels = Pick(l, drawn);
            return Metrics.RocAuc(Pick(x, drawn), labels) - Metrics.RocAuc(Pick(y, drawn), labels);
        });
    }

    /// <summary>
    /// The 95% interval of the share of rows with <paramref name="hit"/> set, resampling groups (e.g. the scenes
    /// generated alerts were drawn on, or objects): how many artifacts a threshold lets through, or how many reals it keeps.
    /// </summary>
    public static (double Low, double High) Share(ReadOnlySpan<bool> hit, ReadOnlySpan<int> groups, int repeats = 1000, int seed = 1)
    {
        if (hit.Length != groups.Length)
        {
            throw new ArgumentException("hits and groups differ in length");
        }

        var h = hit.ToArray();
        return Resample(groups, repeats, seed, drawn => drawn.Count == 0 ? double.NaN : drawn.Count(i => h[i]) / (double)drawn.Count);
    }

    // Draws the groups with replacement `repeats` times and returns the 2.5th and 97.5th percentiles of the statistic
    // over the drawn rows (NaN statistics, e.g. a draw with one class, are left out).
    private static (double Low, double High) Resample(ReadOnlySpan<int> groups, int repeats, int seed, Func<List<int>, double> statistic)
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

        var byGroup = members.Values.ToArray();
        if (byGroup.Length < 2)
        {
            return (double.NaN, double.NaN);
        }

        var random = new Random(seed);
        var values = new List<double>(repeats);
        var drawn = new List<int>();
        for (var r = 0; r < repeats; r++)
        {
            drawn.Clear();
            for (var g = 0; g < byGroup.Length; g++)
            {
                drawn.AddRange(byGroup[random.Next(byGroup.Length)]);
            }

            var value = statistic(drawn);
            if (!double.IsNaN(value))
            {
                values.Add(value);
            }
        }

        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        values.Sort();
        return (Percentile(values, 0.025), Percentile(values, 0.975));
    }

    private static T[] Pick<T>(T[] values, List<int> rows)
    {
        var picked = new T[rows.Count];
        var span = CollectionsMarshal.AsSpan(rows);
        for (var i = 0; i < span.Length; i++)
        {
            picked[i] = values[span[i]];
        }

        return picked;
    }

    private static double Percentile(List<double> sorted, double q)
    {
        var at = q * (sorted.Count - 1);
        var lo = (int)Math.Floor(at);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((at - lo) * (sorted[hi] - sorted[lo]));
    }
}
