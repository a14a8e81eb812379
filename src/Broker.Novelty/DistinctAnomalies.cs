// How many genuinely different anomalies a set of alerts holds, as the seed paper estimates it: two isolation forests
// grown on the set with independent seeds each rank it; their top k share g alerts; n ~ g^2 / k. Agreement between
// independent forests is what separates real structure from the randomness of one forest. Used by the dashboard's
// night map and by each night's digest.
using Broker.Novelty.Snapshots;

namespace Broker.Novelty;

/// <summary>The estimate: k (the top list's length), the overlap g of the two forests' top k, and g^2 / k.</summary>
public readonly record struct DistinctAnomalies(int K, int Overlap, double Estimate)
{
    /// <summary>Fewer alerts than this give no estimate (the forests need a sample of their own).</summary>
    public const int MinimumPoints = 64;

    /// <summary>The two independently seeded batch forests over <paramref name="count"/> vectors of <paramref name="width"/> features.</summary>
    public static (NoveltySnapshot First, NoveltySnapshot Second) Forests(ReadOnlySpan<float> vectors, int count, int width) =>
        (NoveltyLearner.Batch(vectors, count, width, new NoveltyOptions { Seed = 0x5EED1 }),
         NoveltyLearner.Batch(vectors, count, width, new NoveltyOptions { Seed = 0x5EED2 }));

    /// <summary>The estimate from the two forests' scores of the same vectors (k = count / 50, within 5..50).</summary>
    public static DistinctAnomalies Of(NoveltySnapshot first, NoveltySnapshot second, ReadOnlySpan<float> vectors, int count, int width)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var a = new float[count];
        var b = new float[count];
        var result = new NoveltyResult(first.Subspaces.Count);
        for (var i = 0; i < count; i++)
        {
            var v = vectors.Slice(i * width, width);
            first.Score(v, result);
            a[i] = result.Score;
            second.Score(v, result);
            b[i] = result.Score;
        }

        var k = Math.Clamp(count / 50, 5, 50);
        var g = Top(a, k).Intersect(Top(b, k)).Count();
        return new DistinctAnomalies(k, g, Math.Round(g * g / (double)k, 1));
    }

    /// <summary>Both forests and the estimate, for <paramref name="count"/> vectors (at least <see cref="MinimumPoints"/>).</summary>
    public static DistinctAnomalies Of(ReadOnlySpan<float> vectors, int count, int width)
    {
        var (first, second) = Forests(vectors, count, width);
        return Of(first, second, vectors, count, width);
    }

    private static HashSet<int> Top(float[] scores, int k) =>
        [.. Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(k)];
}
