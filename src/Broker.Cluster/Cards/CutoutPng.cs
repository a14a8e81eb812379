// A cutout as a PNG a browser shows: an asinh stretch around the stamp's robust background (median, MAD sigma),
// clipped at -2 sigma and at the 99.5th percentile, 8-bit grey, north up (FITS rows run bottom to top). Blank or
// undecoded cutouts give null. ImageSharp encodes the PNG.
using Broker.Alerts.Model;
using Broker.Features.Stamps;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Broker.Cluster.Cards;

public static class CutoutPng
{
    public static byte[]? Render(Cutout cutout)
    {
        ArgumentNullException.ThrowIfNull(cutout);
        if (cutout.Image is not { } image || image.Width == 0 || image.Height == 0)
        {
            return null;
        }

        var finite = image.Pixels.Where(float.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return null;
        }

        var (median, sigma) = RobustStats.MedianAndSigma(finite.AsSpan());
        var scale = sigma > 0 && float.IsFinite(sigma) ? sigma : 1f;
        Array.Sort(finite);
        var top = finite[Math.Clamp((int)(finite.Length * 0.995), 0, finite.Length - 1)];
        var lo = Math.Asinh(-2.0);
        var hi = Math.Max(Math.Asinh((top - median) / scale), lo + 1e-3);
        var pixels = new byte[image.Width * image.Height];
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Height - 1 - y;
            for (var x = 0; x < image.Width; x++)
            {
                var v = image[x, y];
                var t = float.IsFinite(v) ? (Math.Asinh((v - median) / scale) - lo) / (hi - lo) : 0;
                pixels[(row * image.Width) + x] = (byte)Math.Clamp((int)Math.Round(t * 255), 0, 255);
            }
        }

        using var png = Image.LoadPixelData<L8>(pixels, image.Width, image.Height);
        using var stream = new MemoryStream();
        png.SaveAsPng(stream);
        return stream.ToArray();
    }
}
