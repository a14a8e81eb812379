using Broker.Features.Stamps;
using FsCheck;
using FsCheck.Fluent;

namespace Broker.Features.Tests;

public sealed class RobustStatsTests
{
    [Fact]
    public void Select_and_median_agree_with_sorting()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<float[]>(), values =>
        {
            var finite = values.Where(float.IsFinite).ToArray();
            if (finite.Length == 0)
            {
                return true;
            }

            var sorted = finite.Order().ToArray();
            var n = sorted.Length;
            var expected = (n & 1) == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
            var median = RobustStats.Median(finite.ToArray());
            var k = n / 3;
            return median.Equals(expected) && RobustStats.Select(finite.ToArray(), k).Equals(sorted[k]);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    public static TheoryData<string> Shapes => ["gaussian", "sorted", "reversed", "constant", "few_values", "heavy_tail", "sky_with_stars", "sawtooth"];

    /// <summary>
    /// Inputs long enough for the sampled bracket (and its fallback on adversarial orders) give exactly what sorting
    /// gives, for the median, its neighbours and the tails, across lengths around the sampling threshold.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Long_inputs_select_exactly_what_sorting_gives(string shape)
    {
        var random = new Random(shape.Length * 7919);
        foreach (var n in new[] { 255, 256, 257, 1000, 3848, 3969, 10000 })
        {
            var values = Make(shape, n, random);
            var sorted = values.Order().ToArray();
            var expectedMedian = (n & 1) == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
            Assert.Equal(expectedMedian, RobustStats.Median(values.ToArray()));
            foreach (var k in new[] { 0, 1, n / 10, (n / 2) - 1, n / 2, n - 2, n - 1 })
            {
                Assert.Equal(sorted[k], RobustStats.Select(values.ToArray(), k));
            }

            var copy = values.ToArray();
            var (median, sigma) = RobustStats.MedianAndSigma(copy);
            var deviations = values.Select(v => Math.Abs(v - median)).Order().ToArray();
            var mad = (n & 1) == 1 ? deviations[n / 2] : (deviations[(n / 2) - 1] + deviations[n / 2]) / 2;
            Assert.Equal(expectedMedian, median);
            Assert.Equal((float)(RobustStats.MadToSigma * mad), sigma);
        }
    }

    private static float[] Make(string shape, int n, Random random) => shape switch
    {
        "gaussian" => [.. Enumerable.Range(0, n).Select(_ => Gaussian(random))],
        "sorted" => [.. Enumerable.Range(0, n).Select(i => (float)i)],
        "reversed" => [.. Enumerable.Range(0, n).Select(i => (float)(n - i))],
        "constant" => [.. Enumerable.Repeat(3.5f, n)],
        "few_values" => [.. Enumerable.Range(0, n).Select(_ => (float)random.Next(3))],
        "heavy_tail" => [.. Enumerable.Range(0, n).Select(_ => Gaussian(random) / MathF.Max(1e-3f, (float)random.NextDouble()))],
        "sky_with_stars" => [.. Enumerable.Range(0, n).Select(i => 150f + (5f * Gaussian(random)) + (i % 397 < 20 ? 5000f : 0f))],
        "sawtooth" => [.. Enumerable.Range(0, n).Select(i => (float)(i % 128))],
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    [Fact]
    public void Sigma_of_gaussian_noise_is_recovered()
    {
        var gen = new AnalyticStamps(3);
        var values = gen.Noise(2.5);
        var (median, sigma) = RobustStats.MedianAndSigma(values);
        Assert.InRange(median, -0.1, 0.1);
        Assert.InRange(sigma, 2.4, 2.6);
    }
}
