// The rank (quantile) transform of Reis et al. 2021: each feature is replaced by its mid-rank among a reference
// sample, in [0, 1]. Isolation forests then split on ranks, so a feature's units, scale and tails no longer decide
// which alerts look unusual (uniform split points on raw values chase each feature's extremes). Ranks depend
// only on order, so any strictly increasing transform of a feature gives the same ranks. A missing value (NaN) gets
// rank -1, apart from every present value: "has no light curve" or "has no Rubin flags" is one clean split, and a
// present value among mostly missing ones is not hidden in the middle of the present ones' ranks. A feature with
// no reference values at all gives every alert rank 0.5: it cannot isolate anything.
namespace Broker.Novelty.Ranks;

public sealed class RankTransform
{
    private readonly float[][] _sorted;

    public RankTransform(float[][] sortedSamples)
    {
        ArgumentNullException.ThrowIfNull(sortedSamples);
        _sorted = sortedSamples;
    }

    public int FeatureCount => _sorted.Length;

    /// <summary>The reference sample of feature <paramref name="feature"/>, sorted.</summary>
    public ReadOnlySpan<float> Sample(int feature) => _sorted[feature];

    /// <summary>The rank of a missing value.</summary>
    public const float Missing = -1f;

    public float Rank(int feature, float value)
    {
        var sample = _sorted[feature];
        if (sample.Length == 0)
        {
            return 0.5f;
        }

        if (float.IsNaN(value))
        {
            return Missing;
        }

        // Mid-rank: (values below + half the ties + 0.5) / (n + 1), strictly inside (0, 1).
        var below = CountBelow(sample, value);
        var upTo = below;
        if (below < sample.Length && sample[below] == value)
        {
            upTo = CountAtMost(sample, value);
        }

        return (float)((below + (0.5 * (upTo - below)) + 0.5) / (sample.Length + 1.0));
    }

    public void Transform(ReadOnlySpan<float> values, Span<float> ranks)
    {
        for (var f = 0; f < _sorted.Length; f++)
        {
            ranks[f] = Rank(f, values[f]);
        }
    }

    /// <summary>How many sorted values are below <paramref name="value"/> (branch-free halving: no mispredictions).</summary>
    private static int CountBelow(float[] sorted, float value)
    {
        int lo = 0, n = sorted.Length;
        while (n > 1)
        {
            var half = n >>> 1;
            lo = sorted[lo + half] < value ? lo + half : lo;
            n -= half;
        }

        return lo + (n == 1 && sorted[lo] < value ? 1 : 0);
    }

    private static int CountAtMost(float[] sorted, float value)
    {
        int lo = 0, n = sorted.Length;
        while (n > 1)
        {
            var half = n >>> 1;
            lo = sorted[lo + half] <= value ? lo + half : lo;
            n -= half;
        }

        return lo + (n == 1 && sorted[lo] <= value ? 1 : 0);
    }
}
