using Broker.Models.Evaluation;

namespace Broker.Models.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Auc_of_perfect_reversed_and_tied_scores()
    {
        bool[] labels = [false, false, true, true];
        Assert.Equal(1.0, Metrics.RocAuc([0.1f, 0.2f, 0.8f, 0.9f], labels));
        Assert.Equal(0.0, Metrics.RocAuc([0.9f, 0.8f, 0.2f, 0.1f], labels));
        Assert.Equal(0.5, Metrics.RocAuc([0.5f, 0.5f, 0.5f, 0.5f], labels));
        // One of four (positive, negative) pairs mis-ordered: 3/4.
        Assert.Equal(0.75, Metrics.RocAuc([0.1f, 0.6f, 0.5f, 0.9f], labels));
        Assert.True(double.IsNaN(Metrics.RocAuc([0.1f, 0.2f], [true, true])));
    }

    [Fact]
    public void Missed_detection_rate_uses_the_threshold_that_passes_at_most_the_allowed_negatives()
    {
        // 100 negatives scored 0..0.99, 10 positives: 1% FPR lets exactly one negative (0.99) through.
        var scores = Enumerable.Range(0, 100).Select(i => i / 100f).Concat([0.2f, 0.5f, 0.98f, 0.985f, 0.99f, 0.995f, 1f, 1f, 1f, 1f]).ToArray();
        var labels = Enumerable.Repeat(false, 100).Concat(Enumerable.Repeat(true, 10)).ToArray();
        var (missed, threshold) = Metrics.MissedDetectionRate(scores, labels, 0.01);
        Assert.True(threshold > 0.98 && threshold <= 0.99, $"threshold {threshold}");
        Assert.Equal(0.3, missed, 10); // 0.2, 0.5 and 0.98 (tied with a blocked negative) are below it
    }

    [Fact]
    public void Spearman_is_one_for_monotone_maps_and_minus_one_for_reversals()
    {
        float[] a = [1, 5, 2, 8, 3];
        Assert.Equal(1.0, Metrics.Spearman(a, [.. a.Select(x => MathF.Exp(x))]), 10);
        Assert.Equal(-1.0, Metrics.Spearman(a, [.. a.Select(x => -x * x * x)]), 10);
        Assert.Equal(1.0, Metrics.Spearman([1, 2, float.NaN, 4], [10, 20, 0, 40]), 10);
    }
}
