// The numbers every `broker eval` reports: ROC AUC, missed-detection rate at a false-positive rate (the
// real/bogus literature's figure of merit: Brink et al. 2013 report 7.7% missed at 1% false positives), and
// Spearman rank correlation for agreement with another classifier's scores.
namespace Broker.Models.Evaluation;

public static class Metrics
{
    /// <summary>ROC AUC by the Mann-Whitney statistic with tied scores counted half. NaN without both classes.</summary>
    public static double RocAuc(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positive)
    {
        var ranks = Ranks(scores);
        double positiveRankSum = 0;
        long nPos = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (positive[i])
            {
                positiveRankSum += ranks[i];
                nPos++;
            }
        }

        long nNeg = scores.Length - nPos;
        if (nPos == 0 || nNeg == 0)
        {
            return double.NaN;
        }

        return (positiveRankSum - (nPos * (nPos + 1) / 2.0)) / ((double)nPos * nNeg);
    }

    /// <summary>
    /// The fraction of positives scored below the threshold that lets through at most <paramref name="falsePositiveRate"/>
    /// of the negatives (negatives at or above the threshold are false positives).
    /// </summary>
    public static (double MissedRate, double Threshold) MissedDetectionRate(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positive, double falsePositiveRate)
    {
        var negatives = new List<float>();
        for (var i = 0; i < scores.Length; i++)
        {
            if (!positive[i])
            {
                negatives.Add(scores[i]);
            }
        }

        if (negatives.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        negatives.Sort();
        var allowed = (int)Math.Floor(falsePositiveRate * negatives.Count);

        // The threshold sits just above the (allowed+1)-th highest negative, so at most `allowed` negatives pass.
        var threshold = Math.BitIncrement((double)negatives[negatives.Count - 1 - allowed]);
        long missed = 0, total = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (positive[i])
            {
                total++;
                if (scores[i] < threshold)
                {
                    missed++;
                }
            }
        }

        return (total == 0 ? double.NaN : (double)missed / total, threshold);
    }

    /// <summary>Spearman rank correlation (Pearson on average ranks); pairs with a NaN are left out.</summary>
    public static double Spearman(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var xa = new List<float>();
        var xb = new List<float>();
        for (var i = 0; i < a.Length; i++)
        {
            if (!float.IsNaN(a[i]) && !float.IsNaN(b[i]))
            {
                xa.Add(a[i]);
                xb.Add(b[i]);
            }
        }

        if (xa.Count < 3)
        {
            return double.NaN;
        }

        var ra = Ranks(xa.ToArray());
        var rb = Ranks(xb.ToArray());
        double ma = ra.Average(), mb = rb.Average(), cov = 0, va = 0, vb = 0;
        for (var i = 0; i < ra.Length; i++)
        {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }

        return va == 0 || vb == 0 ? double.NaN : cov / Math.Sqrt(va * vb);
    }

    /// <summary>A figure for a JSON report: rounded, and null when undefined (JSON has no NaN).</summary>
    public static System.Text.Json.Nodes.JsonNode? Json(double value, int digits = 5) =>
        double.IsFinite(value) ? System.Text.Json.Nodes.JsonValue.Create(Math.Round(value, digits)) : null;

    /// <summary>1-based ranks with ties given their average rank.</summary>
    public static double[] Ranks(ReadOnlySpan<float> values)
    {
        var order = new int[values.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var copy = values.ToArray();
        Array.Sort(order, (x, y) => copy[x].CompareTo(copy[y]));
        var ranks = new double[values.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && copy[order[j + 1]].Equals(copy[order[i]]))
            {
                j++;
            }

            var rank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = rank;
            }

            i = j + 1;
        }

        return ranks;
    }
}
