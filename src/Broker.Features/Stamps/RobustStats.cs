// Median and MAD-based noise of a stamp without sorting: quickselect over a scratch copy, O(n).
namespace Broker.Features.Stamps;

public static class RobustStats
{
    /// <summary>1 / Phi^-1(3/4): turns a median absolute deviation into a Gaussian sigma.</summary>
    public const double MadToSigma = 1.4826;

    /// <summary>Median of <paramref name="values"/>, reordering them in place. NaN when empty.</summary>
    public static float Median(Span<float> values)
    {
        if (values.IsEmpty)
        {
            return float.NaN;
        }

        var n = values.Length;
        var upper = Select(values, n / 2);
        if ((n & 1) == 1)
        {
            return upper;
        }

        // The lower middle is the largest value left of n/2 after the partition.
        var lower = float.NegativeInfinity;
        foreach (var v in values[..(n / 2)])
        {
            lower = Math.Max(lower, v);
        }

        return (lower + upper) / 2;
    }

    /// <summary>Median and 1.4826 x MAD of <paramref name="values"/>, which are overwritten.</summary>
    public static (float Median, float Sigma) MedianAndSigma(Span<float> values)
    {
        var median = Median(values);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Abs(values[i] - median);
        }

        return (median, (float)(MadToSigma * Median(values)));
    }

    /// <summary>The k-th smallest value (0-based); partially orders the span (Hoare partition, median of three).</summary>
    public static float Select(Span<float> a, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, a.Length);
        int lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (a[mid] < a[lo])
            {
                (a[mid], a[lo]) = (a[lo], a[mid]);
            }

            if (a[hi] < a[lo])
            {
                (a[hi], a[lo]) = (a[lo], a[hi]);
            }

            if (a[hi] < a[mid])
            {
                (a[hi], a[mid]) = (a[mid], a[hi]);
            }

            var pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot)
                {
                    i++;
                }

                while (a[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return a[k];
            }
        }

        return a[k];
    }
}
