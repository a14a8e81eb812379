using Broker.Alerts.Fits;

namespace Broker.Alerts.Tests;

public sealed class FitsWriterTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Written_images_decode_to_the_same_pixels_names_and_shapes(bool gzip)
    {
        var none = new Dictionary<string, string>();
        var first = new FitsImage(7, 5, [.. Enumerable.Range(0, 35).Select(i => i == 3 ? float.NaN : (i * 1.5f) - 10)], none);
        var second = new FitsImage(3, 4, [.. Enumerable.Range(0, 12).Select(i => (float)Math.Sqrt(i))], none, "VARIANCE");
        var bytes = FitsWriter.Write([first, second], gzip);
        Assert.Equal(gzip, FitsDecoder.IsGzip(bytes));
        var decoded = FitsDecoder.Decode(bytes);
        Assert.Equal(2, decoded.Count);
        Assert.Equal((7, 5), (decoded[0].Width, decoded[0].Height));
        Assert.Equal(first.Pixels, decoded[0].Pixels);
        Assert.Equal("VARIANCE", decoded[1].ExtensionName);
        Assert.Equal(second.Pixels, decoded[1].Pixels);
        if (!gzip)
        {
            Assert.Equal(0, bytes.Length % 2880);
        }
    }
}
