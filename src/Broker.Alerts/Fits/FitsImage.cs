// A decoded FITS image HDU: width x height pixels as float32 (row-major, row 0 at the bottom as FITS stores
// it), NaN kept as NaN, BSCALE/BZERO applied, plus the header cards for anything else a feature needs.
namespace Broker.Alerts.Fits;

public sealed class FitsImage
{
    public FitsImage(int width, int height, float[] pixels, IReadOnlyDictionary<string, string> header, string? extensionName = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != width * height)
        {
            throw new ArgumentException($"{width}x{height} image needs {width * height} pixels, got {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
        Header = header;
        ExtensionName = extensionName;
    }

    /// <summary>NAXIS1: pixels per row.</summary>
    public int Width { get; }

    /// <summary>NAXIS2: rows.</summary>
    public int Height { get; }

    public float[] Pixels { get; }

    public IReadOnlyDictionary<string, string> Header { get; }

    /// <summary>EXTNAME of the HDU (Rubin: IMAGE, VARIANCE/UNCERT, PSF...), or null.</summary>
    public string? ExtensionName { get; }

    public float this[int x, int y] => Pixels[(y * Width) + x];

    /// <summary>Sum of the finite pixels.</summary>
    public double FiniteSum()
    {
        double sum = 0;
        foreach (var p in Pixels)
        {
            if (float.IsFinite(p))
            {
                sum += p;
            }
        }

        return sum;
    }

    public int NaNCount() => Pixels.Count(float.IsNaN);

    public override string ToString() => $"{Width}x{Height}";
}
