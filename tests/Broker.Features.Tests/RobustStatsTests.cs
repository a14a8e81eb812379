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
