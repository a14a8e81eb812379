// Measures the seeing on the science stamp itself: Gaussian fits to the brightest isolated stars away from the
// candidate, median width. ZTF alerts carry no image seeing (candidate.fwhm is the candidate's own size, which
// for a cosmic ray is tiny), so normalising by it would hide exactly what the features look for.
using Broker.Features.Stamps;

namespace Broker.Features.Pixels;

public static class SeeingEstimator
{
    private const int MaxStars = 8;
    private const int FitHalf = 3;

    /// <summary>FWHM in pixels from stars on <paramref name="science"/>, or NaN when no usable star is found.</summary>
    public static double FromStars(Stamp science)
    {
        ArgumentNullException.ThrowIfNull(science);
        Span<(float Peak, int X, int Y)> stars = stackalloc (float, int, int)[MaxStars];
        var found = 0;
        var floor = 15 * science.Sigma;
        for (var y = FitHalf + 1; y < science.Height - FitHalf - 1; y++)
        {
            for (var x = FitHalf + 1; x < science.Width - FitHalf - 1; x++)
            {
                var v = science[x, y];
                if (!(v > floor) || (Math.Abs(x - science.CenterX) <= 5 && Math.Abs(y - science.CenterY) <= 5) || !IsLocalMax(science, x, y, v))
                {
                    continue;
                }

                // Keep the brightest few (insertion into a tiny sorted buffer).
                if (found < MaxStars)
                {
                    stars[found++] = (v, x, y);
                }
                else if (v > stars[MaxStars - 1].Peak)
                {
                    stars[MaxStars - 1] = (v, x, y);
                }
                else
                {
                    continue;
                }

                for (var i = found - 1; i > 0 && stars[i].Peak > stars[i - 1].Peak; i--)
                {
                    (stars[i], stars[i - 1]) = (stars[i - 1], stars[i]);
                }
            }
        }

        Span<double> widths = stackalloc double[MaxStars];
        var good = 0;
        for (var i = 0; i < found; i++)
        {
            var fit = GaussianFit.Fit(science, FitHalf, stars[i].X, stars[i].Y, 1.0, stars[i].X, stars[i].Y);
            // Stars only: galaxies fit wide, saturated cores and cosmic rays fit narrow or badly.
            if (fit.Sigma is > 0.6 and < 5 && fit.Correlation > 0.95)
            {
                widths[good++] = fit.Sigma;
            }
        }

        if (good == 0)
        {
            return double.NaN;
        }

        widths[..good].Sort();
        var median = (good & 1) == 1 ? widths[good / 2] : (widths[(good / 2) - 1] + widths[good / 2]) / 2;
        return 2.3548 * median;
    }

    private static bool IsLocalMax(Stamp s, int x, int y, float v)
    {
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                if ((dx | dy) != 0 && !(s[x + dx, y + dy] < v))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
