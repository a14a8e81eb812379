using Broker.Features.Stamps;

namespace Broker.Features.Tests;

public sealed class StampTests
{
    [Fact]
    public void Ztf_mask_sentinels_are_masked_like_nan_and_do_not_poison_background_or_noise()
    {
        // Real ZTF templates mark masked pixels with float.MinValue (seen on 4 of 262 shared alerts): half a stamp of
        // them once made the median -infinity and every CNN input NaN.
        var stamps = new AnalyticStamps(7);
        var pixels = stamps.Noise(4);
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] += 100;
            if (i % AnalyticStamps.Size < 30)
            {
                pixels[i] = float.MinValue;
            }
        }

        using var stamp = Stamp.From(AnalyticStamps.Image(pixels))!;
        Assert.InRange(stamp.Background, 99.5f, 100.5f);
        Assert.InRange(stamp.Sigma, 3.6f, 4.4f);
        Assert.Equal(AnalyticStamps.Size * (AnalyticStamps.Size - 30), stamp.FiniteCount);
        Assert.True(float.IsNaN(stamp[0, 0]));
        Assert.False(float.IsNaN(stamp[40, 0]));
    }
}
