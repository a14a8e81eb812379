// The pixel features of FeatureCatalog's Pixel group, measured on prepared stamps. Every box is taken relative
// to each stamp's candidate position, so stamps of different sizes (Rubin) or trimmed at a CCD edge (ZTF) work
// the same way. A feature whose stamp is missing is NaN; masked pixels are skipped.
using Broker.Features.Catalog;
using Broker.Features.Stamps;

namespace Broker.Features.Pixels;

public static class PixelFeatures
{
    /// <summary>Half-size of the box the Gaussian is fitted in (11x11).</summary>
    public const int FitHalfSize = 5;

    /// <summary>Writes every Pixel-group feature of <paramref name="output"/> (indexed by FeatureId).</summary>
    public static void Compute(Stamp? diff, Stamp? science, Stamp? template, double seeingPx, Span<float> output)
    {
        if (output.Length < FeatureCatalog.Count)
        {
            throw new ArgumentException($"Output needs {FeatureCatalog.Count} slots.", nameof(output));
        }

        foreach (var f in FeatureCatalog.InGroup(FeatureGroup.Pixel))
        {
            output[f.Index] = float.NaN;
        }

        var seeingSigma = Math.Clamp(seeingPx, 0.8, 20) / 2.3548;
        if (diff is not null)
        {
            Difference(diff, seeingPx, seeingSigma, output);
        }

        if (science is not null)
        {
            output[(int)FeatureId.ScienceCenterSnr] = (float)(BoxSum(science, 1) / (3 * science.Sigma));
            output[(int)FeatureId.SciencePeakOffset] = (float)PeakOffset(science, FitHalfSize);
        }

        if (template is not null)
        {
            output[(int)FeatureId.TemplateCenterSnr] = (float)(BoxSum(template, 1) / (3 * template.Sigma));
            output[(int)FeatureId.TemplatePeakOffset] = (float)PeakOffset(template, FitHalfSize);
        }

        if (science is not null && template is not null)
        {
            var sciSnr = output[(int)FeatureId.ScienceCenterSnr];
            var refSnr = output[(int)FeatureId.TemplateCenterSnr];
            output[(int)FeatureId.TemplateToScienceSnr] = Statistics.Clip(refSnr / Math.Max(sciSnr, 1), -10, 10);
            output[(int)FeatureId.ScienceTemplateCorrelation] = (float)Correlation(science, template, 7);
        }

        if (diff is not null && science is not null)
        {
            output[(int)FeatureId.DiffToScienceNoise] = diff.Sigma / science.Sigma;
            var sciFlux = BoxSum(science, 2);
            output[(int)FeatureId.DiffToScienceFlux] = Statistics.Clip(BoxSum(diff, 2) / Math.Max(sciFlux, science.Sigma), -10, 10);
            output[(int)FeatureId.DiffScienceCorrelation] = (float)Correlation(diff, science, FitHalfSize);
        }

        if (diff is not null && template is not null)
        {
            output[(int)FeatureId.DiffTemplateCorrelation] = (float)Correlation(diff, template, FitHalfSize);
        }
    }

    private static void Difference(Stamp d, double seeingPx, double seeingSigma, Span<float> o)
    {
        var sigma = (double)d.Sigma;
        var (peak, px, py) = Peak(d, 2);
        o[(int)FeatureId.DiffPeakSnr] = (float)(peak / sigma);
        o[(int)FeatureId.DiffPeakOffset] = (float)PeakOffset(d, FitHalfSize);
        o[(int)FeatureId.DiffNeg2Sigma5x5] = CountBelow(d, 2, -2 * sigma);
        o[(int)FeatureId.DiffNeg3Sigma5x5] = CountBelow(d, 2, -3 * sigma);
        o[(int)FeatureId.DiffNeg2Sigma7x7] = CountBelow(d, 3, -2 * sigma);
        o[(int)FeatureId.DiffNeg3Sigma7x7] = CountBelow(d, 3, -3 * sigma);

        var fit = GaussianFit.Fit(d, FitHalfSize, double.IsNaN(peak) ? d.CenterX : px, double.IsNaN(peak) ? d.CenterY : py, seeingSigma);
        o[(int)FeatureId.DiffGaussAmplitude] = (float)(fit.Amplitude / sigma);
        o[(int)FeatureId.DiffGaussSigma] = (float)fit.Sigma;
        o[(int)FeatureId.DiffGaussChi2] = (float)fit.ReducedChi2;
        o[(int)FeatureId.DiffGaussCorrelation] = (float)fit.Correlation;
        o[(int)FeatureId.DiffGaussOffset] = (float)Math.Sqrt(Square(fit.X0 - d.CenterX) + Square(fit.Y0 - d.CenterY));
        o[(int)FeatureId.DiffFwhmOverSeeing] = (float)(2.3548 * fit.Sigma / Math.Clamp(seeingPx, 0.8, 20));

        o[(int)FeatureId.DiffQuadrantAsymmetry] = (float)QuadrantAsymmetry(d, 3);
        o[(int)FeatureId.DiffMeanAbs7x7] = (float)(MeanAbs(d, 3) / sigma);
        o[(int)FeatureId.DiffNegativeToPositive] = (float)NegativeToPositive(d, 4);
        o[(int)FeatureId.DiffConcentration] = Statistics.Clip(BoxSum(d, 1) / Math.Max(BoxSum(d, 3), 7 * sigma), -10, 10);
        o[(int)FeatureId.DiffPeakFraction] = double.IsNaN(peak) ? float.NaN : Statistics.Clip(peak / Math.Max(BoxSum(d, 2), 5 * sigma), -10, 10);
        o[(int)FeatureId.DiffEllipticity] = (float)Ellipticity(d, FitHalfSize, 2 * seeingSigma);
        var (fraction, elongation) = WideShape(d);
        o[(int)FeatureId.DiffSignificantFraction] = (float)fraction;
        o[(int)FeatureId.DiffWideElongation] = (float)elongation;
        o[(int)FeatureId.DiffLineExcess] = (float)LineExcess(d, 3);
        o[(int)FeatureId.DiffMatchedFilterSnr] = (float)MatchedFilter(d, FitHalfSize, seeingSigma);
        o[(int)FeatureId.DiffSharpness] = double.IsNaN(peak) ? float.NaN : (float)Sharpness(d, px, py, peak);
        o[(int)FeatureId.DiffMaskedFraction] = 1f - ((float)d.FiniteCount / (d.Width * d.Height));
        o[(int)FeatureId.StampEdgeDistance] = (float)EdgeDistance(d, 32);
    }

    private static double Square(double v) => v * v;

    /// <summary>Brightest finite pixel in box <paramref name="half"/>; NaN when the box is fully masked.</summary>
    internal static (double Value, int X, int Y) Peak(Stamp s, int half)
    {
        var best = double.NaN;
        int bx = s.CenterX, by = s.CenterY;
        for (var y = s.CenterY - half; y <= s.CenterY + half; y++)
        {
            for (var x = s.CenterX - half; x <= s.CenterX + half; x++)
            {
                var v = s.At(x, y);
                if (!float.IsNaN(v) && (double.IsNaN(best) || v > best))
                {
                    best = v;
                    bx = x;
                    by = y;
                }
            }
        }

        return (best, bx, by);
    }

    private static double PeakOffset(Stamp s, int half)
    {
        var (value, x, y) = Peak(s, half);
        return double.IsNaN(value) ? double.NaN : Math.Sqrt(Square(x - s.CenterX) + Square(y - s.CenterY));
    }

    /// <summary>Sum of the finite pixels in box <paramref name="half"/> around the candidate.</summary>
    public static double BoxSum(Stamp s, int half)
    {
        double sum = 0;
        for (var y = s.CenterY - half; y <= s.CenterY + half; y++)
        {
            for (var x = s.CenterX - half; x <= s.CenterX + half; x++)
            {
                var v = s.At(x, y);
                if (!float.IsNaN(v))
                {
                    sum += v;
                }
            }
        }

        return sum;
    }

    private static int CountBelow(Stamp s, int half, double threshold)
    {
        var count = 0;
        for (var y = s.CenterY - half; y <= s.CenterY + half; y++)
        {
            for (var x = s.CenterX - half; x <= s.CenterX + half; x++)
            {
                if (s.At(x, y) <= threshold)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static double MeanAbs(Stamp s, int half)
    {
        double sum = 0;
        var n = 0;
        for (var y = s.CenterY - half; y <= s.CenterY + half; y++)
        {
            for (var x = s.CenterX - half; x <= s.CenterX + half; x++)
            {
                var v = s.At(x, y);
                if (!float.IsNaN(v))
                {
                    sum += Math.Abs(v);
                    n++;
                }
            }
        }

        return n == 0 ? double.NaN : sum / n;
    }

    private static double QuadrantAsymmetry(Stamp s, int half)
    {
        Span<double> q = stackalloc double[4];
        var n = 0;
        for (var dy = -half; dy <= half; dy++)
        {
            for (var dx = -half; dx <= half; dx++)
            {
                if (dx == 0 || dy == 0)
                {
                    continue;
                }

                var v = s.At(s.CenterX + dx, s.CenterY + dy);
                if (float.IsNaN(v))
                {
                    continue;
                }

                q[(dx > 0 ? 1 : 0) + (dy > 0 ? 2 : 0)] += v;
                n++;
            }
        }

        if (n == 0)
        {
            return double.NaN;
        }

        double max = q[0], min = q[0], abs = 0;
        foreach (var v in q)
        {
            max = Math.Max(max, v);
            min = Math.Min(min, v);
            abs += Math.Abs(v);
        }

        return (max - min) / (abs + (s.Sigma * Math.Sqrt(n)));
    }

    private static double NegativeToPositive(Stamp s, int half)
    {
        double neg = 0, pos = 0;
        var limit = 2.0 * s.Sigma;
        for (var y = s.CenterY - half; y <= s.CenterY + half; y++)
        {
            for (var x = s.CenterX - half; x <= s.CenterX + half; x++)
            {
                var v = s.At(x, y);
                if (v < -limit)
                {
                    neg -= v;
                }
                else if (v > limit)
                {
                    pos += v;
                }
            }
        }

        return Math.Min(neg / (pos + s.Sigma), 100);
    }

    private static double Ellipticity(Stamp s, int half, double weightSigma)
    {
        double w0 = 0, wx = 0, wy = 0;
        var inv = 1 / (2 * weightSigma * weightSigma);
        for (var dy = -half; dy <= half; dy++)
        {
            for (var dx = -half; dx <= half; dx++)
            {
                var v = s.At(s.CenterX + dx, s.CenterY + dy);
                if (!(v > 0))
                {
                    continue;
                }

                var w = v * Math.Exp(-((dx * dx) + (dy * dy)) * inv);
                w0 += w;
                wx += w * dx;
                wy += w * dy;
            }
        }

        if (w0 <= 0)
        {
            return 0;
        }

        double mx = wx / w0, my = wy / w0, ixx = 0, iyy = 0, ixy = 0;
        for (var dy = -half; dy <= half; dy++)
        {
            for (var dx = -half; dx <= half; dx++)
            {
                var v = s.At(s.CenterX + dx, s.CenterY + dy);
                if (!(v > 0))
                {
                    continue;
                }

                var w = v * Math.Exp(-((dx * dx) + (dy * dy)) * inv);
                ixx += w * (dx - mx) * (dx - mx);
                iyy += w * (dy - my) * (dy - my);
                ixy += w * (dx - mx) * (dy - my);
            }
        }

        var (major, minor) = Statistics.Eigen(ixx / w0, iyy / w0, ixy / w0);
        return major <= 0 ? 0 : 1 - Math.Sqrt(Math.Max(minor, 0) / major);
    }

    private static (double Fraction, double Elongation) WideShape(Stamp s)
    {
        var limit = 3.0 * s.Sigma;
        double w0 = 0, wx = 0, wy = 0, wxx = 0, wyy = 0, wxy = 0;
        var count = 0;
        for (var y = 0; y < s.Height; y++)
        {
            for (var x = 0; x < s.Width; x++)
            {
                var v = s[x, y];
                if (v > limit)
                {
                    count++;
                    w0 += v;
                    wx += v * x;
                    wy += v * y;
                    wxx += v * x * (double)x;
                    wyy += v * y * (double)y;
                    wxy += v * x * (double)y;
                }
            }
        }

        var fraction = (double)count / Math.Max(s.FiniteCount, 1);
        if (count < 5)
        {
            return (fraction, 1);
        }

        double mx = wx / w0, my = wy / w0;
        var (major, minor) = Statistics.Eigen((wxx / w0) - (mx * mx), (wyy / w0) - (my * my), (wxy / w0) - (mx * my));
        return (fraction, Math.Min(Math.Sqrt(major / Math.Max(minor, 1e-2)), 100));
    }

    private static double LineExcess(Stamp s, int exclude)
    {
        double best = double.NaN;
        for (var axis = 0; axis < 2; axis++)
        {
            double sum = 0;
            var n = 0;
            var length = axis == 0 ? s.Height : s.Width;
            for (var i = 0; i < length; i++)
            {
                var offset = i - (axis == 0 ? s.CenterY : s.CenterX);
                if (Math.Abs(offset) <= exclude)
                {
                    continue;
                }

                var v = axis == 0 ? s.At(s.CenterX, i) : s.At(i, s.CenterY);
                if (!float.IsNaN(v))
                {
                    sum += v;
                    n++;
                }
            }

            if (n >= 4)
            {
                var z = sum / n / (s.Sigma / Math.Sqrt(n));
                best = double.IsNaN(best) ? z : Math.Max(best, z);
            }
        }

        return best;
    }

    private static double MatchedFilter(Stamp s, int half, double psfSigma)
    {
        double dot = 0, norm = 0;
        var inv = 1 / (2 * psfSigma * psfSigma);
        for (var dy = -half; dy <= half; dy++)
        {
            for (var dx = -half; dx <= half; dx++)
            {
                var v = s.At(s.CenterX + dx, s.CenterY + dy);
                if (float.IsNaN(v))
                {
                    continue;
                }

                var g = Math.Exp(-((dx * dx) + (dy * dy)) * inv);
                dot += v * g;
                norm += g * g;
            }
        }

        return norm == 0 ? double.NaN : dot / (s.Sigma * Math.Sqrt(norm));
    }

    private static double Sharpness(Stamp s, int px, int py, double peak)
    {
        double sum = 0;
        var n = 0;
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                var v = (dx | dy) == 0 ? float.NaN : s.At(px + dx, py + dy);
                if (!float.IsNaN(v))
                {
                    sum += v;
                    n++;
                }
            }
        }

        var denominator = Math.Max(peak, s.Sigma);
        return n == 0 ? 1 : Math.Clamp((peak - (sum / n)) / denominator, -10, 10);
    }

    private static double EdgeDistance(Stamp s, double cap)
    {
        double best = Math.Min(Math.Min(s.CenterX + 0.5, s.Width - s.CenterX - 0.5), Math.Min(s.CenterY + 0.5, s.Height - s.CenterY - 0.5));
        best = Math.Min(best, cap);
        if (s.FiniteCount == s.Width * s.Height)
        {
            return best;
        }

        var reach = (int)Math.Ceiling(best);
        for (var y = Math.Max(0, s.CenterY - reach); y <= Math.Min(s.Height - 1, s.CenterY + reach); y++)
        {
            for (var x = Math.Max(0, s.CenterX - reach); x <= Math.Min(s.Width - 1, s.CenterX + reach); x++)
            {
                if (float.IsNaN(s[x, y]))
                {
                    best = Math.Min(best, Math.Sqrt(Square(x - s.CenterX) + Square(y - s.CenterY)));
                }
            }
        }

        return best;
    }

    /// <summary>Pearson correlation of two stamps over box <paramref name="half"/> around each one's candidate.</summary>
    private static double Correlation(Stamp a, Stamp b, int half)
    {
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        var n = 0;
        for (var dy = -half; dy <= half; dy++)
        {
            for (var dx = -half; dx <= half; dx++)
            {
                var u = a.At(a.CenterX + dx, a.CenterY + dy);
                var v = b.At(b.CenterX + dx, b.CenterY + dy);
                if (float.IsNaN(u) || float.IsNaN(v))
                {
                    continue;
                }

                sx += u;
                sy += v;
                sxx += (double)u * u;
                syy += (double)v * v;
                sxy += (double)u * v;
                n++;
            }
        }

        return Statistics.Pearson(n, sx, sy, sxx, syy, sxy);
    }
}
