using Broker.Alerts.Fits;
using Broker.Features.Catalog;
using Broker.Features.Pixels;
using Broker.Features.Stamps;

namespace Broker.Features.Tests;

/// <summary>Stamps with known content: seeded Gaussian noise plus analytic sources.</summary>
internal sealed class AnalyticStamps
{
    public const int Size = 63;
    public const int Center = 31;

    private readonly Random _random;

    public AnalyticStamps(int seed = 1) => _random = new Random(seed);

    public float[] Noise(double sigma = 1)
    {
        var p = new float[Size * Size];
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = (float)(sigma * Gaussian());
        }

        return p;
    }

    public double Gaussian()
    {
        var u1 = 1 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Adds a circular Gaussian of total <paramref name="flux"/> and FWHM at (x0, y0), integrated over pixels.</summary>
    public static void AddGaussian(float[] p, double flux, double fwhm, double x0, double y0)
    {
        var s = fwhm / 2.3548;
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                // Sub-sample each pixel 5x5 so the test measures the fit, not pixel integration.
                double sum = 0;
                for (var sy = 0; sy < 5; sy++)
                {
                    for (var sx = 0; sx < 5; sx++)
                    {
                        var dx = x - 0.4 + (sx * 0.2) - x0;
                        var dy = y - 0.4 + (sy * 0.2) - y0;
                        sum += Math.Exp(-((dx * dx) + (dy * dy)) / (2 * s * s));
                    }
                }

                p[(y * Size) + x] += (float)(flux * sum / 25 / (2 * Math.PI * s * s));
            }
        }
    }

    public static FitsImage Image(float[] p) => new(Size, Size, p, new Dictionary<string, string>());

    /// <summary>Pixel features of a difference stamp alone (science/template absent).</summary>
    public static float[] DiffFeatures(float[] diff, double seeing = 3.0)
    {
        using var stamp = Stamp.From(Image(diff));
        var output = new float[FeatureCatalog.Count];
        PixelFeatures.Compute(stamp, null, null, seeing, output);
        return output;
    }

    public static float Get(float[] features, FeatureId id) => features[(int)id];
}
