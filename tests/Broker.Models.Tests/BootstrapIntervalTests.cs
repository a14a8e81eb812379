// The cluster bootstrap's interval: around the point AUC, narrower with more independent groups, wider when the
// same alerts are lumped into a few groups (correlated alerts buy no certainty), reproducible by seed.
using Broker.Models.Evaluation;

namespace Broker.Models.Tests;

public sealed class BootstrapIntervalTests
{
    private static (float[] Scores, bool[] Labels) Noisy(int n, int seed)
    {
        var random = new Random(seed);
        var labels = Enumerable.Range(0, n).Select(i => i % 2 == 0).ToArray();
        var scores = labels.Select(l => (float)((l ? 0.6 : 0.4) + (random.NextDouble() - 0.5))).ToArray();
        return (scores, labels);
    }

    [Fact]
    public void The_interval_holds_the_point_auc_and_narrows_with_more_groups()
    {
        var (s, l) = Noisy(2000, 3);
        var auc = Metrics.RocAuc(s, l);
        var all = BootstrapInterval.Auc(s, l, Enumerable.Range(0, s.Length).ToArray());
        var small = BootstrapInterval.Auc(s.AsSpan(0, 100), l.AsSpan(0, 100), Enumerable.Range(0, 100).ToArray());
        Assert.InRange(auc, all.Low, all.High);
        Assert.True(all.High - all.Low < (small.High - small.Low) / 2, $"{all} vs {small}");
        Assert.Equal(all, BootstrapInterval.Auc(s, l, Enumerable.Range(0, s.Length).ToArray()));
    }

    [Fact]
    public void Alerts_lumped_into_few_groups_give_a_wider_interval()
    {
        // Ten nights of 200 alerts, each night's scores shifted by its own seeing: alerts of a night are correlated.
        var (s, l) = Noisy(2000, 5);
        var nights = Enumerable.Range(0, s.Length).Select(i => i / 200).ToArray();
        var random = new Random(7);
        var shift = Enumerable.Range(0, 10).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        for (var i = 0; i < s.Length; i++)
        {
            s[i] += l[i] ? shift[nights[i]] : -shift[nights[i]];
        }

        var single = BootstrapInterval.Auc(s, l, Enumerable.Range(0, s.Length).ToArray());
        var lumped = BootstrapInterval.Auc(s, l, nights);
        Assert.True(lumped.High - lumped.Low > single.High - single.Low, $"{lumped} vs {single}");
        Assert.True(double.IsNaN(BootstrapInterval.Auc(s, l, new int[s.Length]).Low));
    }

    [Fact]
    public void The_paired_difference_separates_a_better_score_that_overlapping_intervals_cannot()
    {
        var (s, l) = Noisy(400, 9);
        var random = new Random(4);
        var better = s.Select((v, i) => v + (l[i] ? 0.15f : -0.15f)).ToArray();
        var shaky = s.Select(v => v + (float)((random.NextDouble() - 0.5) * 0.05)).ToArray();
        var groups = Enumerable.Range(0, s.Length).Select(i => i / 10).ToArray();
        var (low, high) = BootstrapInterval.AucDifference(better, s, l, groups);
        Assert.True(low > 0, $"[{low}, {high}]");
        var (nLow, nHigh) = BootstrapInterval.AucDifference(shaky, s, l, groups);
        Assert.True(nLow < 0 && nHigh > 0, $"[{nLow}, {nHigh}]");
    }
}
