// Drawing primitives on row-major float stamps: pixel-integrated Gaussians (PSFs, hosts, ghosts), lines
// (streaks, columns), and photon noise. Sources are drawn only where the stamp is finite.
namespace Broker.Simulation.Rendering;

public static class Draw
{
    /// <summary>Adds a circular Gaussian of total <paramref name="flux"/> and width <paramref name="sigma"/>, sampled 3x3 per pixel.</summary>
    public static void Gaussian(Span<float> p, int width, int height, double flux, double sigma, double x0, double y0)
    {
        var reach = (int)Math.Ceiling(5 * sigma) + 1;
        var norm = flux / (2 * Math.PI * sigma * sigma) / 9;
        var inv = 1 / (2 * sigma * sigma);
        for (var y = Math.Max(0, (int)y0 - reach); y <= Math.Min(height - 1, (int)y0 + reach); y++)
        {
            for (var x = Math.Max(0, (int)x0 - reach); x <= Math.Min(width - 1, (int)x0 + reach); x++)
            {
                double sum = 0;
                for (var sy = -1; sy <= 1; sy++)
                {
                    for (var sx = -1; sx <= 1; sx++)
                    {
                        var dx = x + (sx / 3.0) - x0;
                        var dy = y + (sy / 3.0) - y0;
                        sum += Math.Exp(-((dx * dx) + (dy * dy)) * inv);
                    }
                }

                p[(y * width) + x] += (float)(norm * sum);
            }
        }
    }

    /// <summary>Adds an elliptical Gaussian (widths <paramref name="sx"/>, <paramref name="sy"/> along axes rotated by <paramref name="theta"/>).</summary>
    public static void Elliptical(Span<float> p, int width, int height, double flux, double sx, double sy, double theta, double x0, double y0)
    {
        var reach = (int)Math.Ceiling(5 * Math.Max(sx, sy)) + 1;
        var norm = flux / (2 * Math.PI * sx * sy) / 9;
        double cos = Math.Cos(theta), sin = Math.Sin(theta);
        for (var y = Math.Max(0, (int)y0 - reach); y <= Math.Min(height - 1, (int)y0 + reach); y++)
        {
            for (var x = Math.Max(0, (int)x0 - reach); x <= Math.Min(width - 1, (int)x0 + reach); x++)
            {
                double sum = 0;
                for (var sy3 = -1; sy3 <= 1; sy3++)
                {
                    for (var sx3 = -1; sx3 <= 1; sx3++)
                    {
                        var dx = x + (sx3 / 3.0) - x0;
                        var dy = y + (sy3 / 3.0) - y0;
                        var u = ((dx * cos) + (dy * sin)) / sx;
                        var v = ((-dx * sin) + (dy * cos)) / sy;
                        sum += Math.Exp(-((u * u) + (v * v)) / 2);
                    }
                }

                p[(y * width) + x] += (float)(norm * sum);
            }
        }
    }

    /// <summary>Adds a line through (x0, y0) at <paramref name="angle"/> with a Gaussian profile across it.</summary>
    public static void Line(Span<float> p, int width, int height, double x0, double y0, double angle, double peak, double sigma, double halfLength = double.PositiveInfinity)
    {
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        var inv = 1 / (2 * sigma * sigma);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                double dx = x - x0, dy = y - y0;
                var along = (dx * cos) + (dy * sin);
                if (Math.Abs(along) > halfLength)
                {
                    continue;
                }

                var across = (-dx * sin) + (dy * cos);
                p[(y * width) + x] += (float)(peak * Math.Exp(-(across * across) * inv));
            }
        }
    }

    /// <summary>Adds photon-like noise: variance <paramref name="gain"/> x |signal| per pixel, the same draw to every target.</summary>
    public static void PhotonNoise(ReadOnlySpan<float> signal, double gain, Rng rng, Span<float> a, Span<float> b)
    {
        for (var i = 0; i < signal.Length; i++)
        {
            var s = Math.Abs(signal[i]);
            if (s <= 0)
            {
                continue;
            }

            var n = (float)(Math.Sqrt(s * gain) * rng.Gaussian());
            a[i] += n;
            b[i] += n;
        }
    }
}
