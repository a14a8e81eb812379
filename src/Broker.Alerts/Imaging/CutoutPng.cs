// A cutout as a PNG a browser shows: an asinh stretch around the stamp's background (median; sigma from the central
// 68% of pixels),
// clipped at -2 sigma and at the 99.5th percentile, 8-bit grey, north up (FITS rows run bottom to top). Blank or
// undecoded cutouts give null. ImageSharp encodes the PNG.
using Broker.Alerts.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Broker.Alerts.Imaging;

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

        Array.Sort(finite);
        float At(double q) => finite[Math.Clamp((int)(finite.Length * q), 0, finite.Length - 1)];
        var median = At(0.5);

        // Sigma from the central 68% (a MAD is 0 on quantized or flat stamps); then the spread of the rest.
        var scale = (At(0.841) - At(0.159)) / 2;
        if (!(scale > 0))
        {
            scale = (At(0.995) - At(0.005)) / 6;
        }

        if (!(scale > 0))
        {
            scale = 1;
        }

        var top = At(0.995);
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
