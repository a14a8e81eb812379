// Fits a circular 2-D Gaussian A exp(-r^2 / 2s^2) centred at (x0, y0) to a box of a stamp by Levenberg-Marquardt:
// four parameters, at most 30 iterations over at most 121 pixels, no allocation. The model is evaluated as a
// product of per-axis exponentials (exact up to rounding), 22 exp calls per pass instead of 121. The background is the
// stamp's (already subtracted), as Bloom et al.'s fit assumed for difference images.
using Broker.Features.Stamps;

namespace Broker.Features.Pixels;

public readonly record struct GaussianFitResult(double Amplitude, double X0, double Y0, double Sigma, double Chi2, int Pixels, double Correlation, bool Converged)
{
    public double ReducedChi2 => Pixels > 4 ? Chi2 / (Pixels - 4) : double.NaN;
}

public static class GaussianFit
{
    public const double MinSigma = 0.3;
    public const double MaxSigma = 8;
    private const int MaxIterations = 30;

    /// <summary>Largest box half-size (the per-axis exponentials live on the stack).</summary>
    public const int MaxHalf = 31;

    /// <summary>Fits within box <paramref name="half"/> around the stamp's candidate, starting at the given guesses.</summary>
    public static GaussianFitResult Fit(Stamp stamp, int half, double x0, double y0, double sigma0) =>
        Fit(stamp, half, x0, y0, sigma0, stamp.CenterX, stamp.CenterY);

    /// <summary>Fits within box <paramref name="half"/> around (<paramref name="cx"/>, <paramref name="cy"/>).</summary>
    public static GaussianFitResult Fit(Stamp stamp, int half, double x0, double y0, double sigma0, int cx, int cy)
    {
        ArgumentNullException.ThrowIfNull(stamp);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(half, MaxHalf);
        Span<double> p = [Math.Max(stamp.At((int)Math.Round(x0), (int)Math.Round(y0)), stamp.Sigma), x0, y0, Math.Clamp(sigma0, 0.5, 5)];
        if (!double.IsFinite(p[0]))
        {
            p[0] = stamp.Sigma;
        }

        var lambda = 1e-3;
        var chi2 = Chi2(stamp, half, cx, cy, p, out var n);
        var converged = false;
        Span<double> jtj = stackalloc double[16];
        Span<double> jtr = stackalloc double[4];
        Span<double> trial = stackalloc double[4];
        Span<double> step = stackalloc double[4];
        var invVar = 1.0 / ((double)stamp.Sigma * stamp.Sigma);
        Span<double> ex = stackalloc double[(2 * half) + 1];
        Span<double> ey = stackalloc double[(2 * half) + 1];
        for (var iteration = 0; iteration < MaxIterations && n > 4; iteration++)
        {
            var a = p[0];
            var s2 = p[3] * p[3];
            AxisTerms(cx - half, p[1], s2, ex);
            AxisTerms(cy - half, p[2], s2, ey);

            // J^T J (lower triangle, 10 sums) and J^T r in locals: span-indexed accumulation per pixel cost more
            // than the pixel's arithmetic.
            double h00 = 0, h10 = 0, h11 = 0, h20 = 0, h21 = 0, h22 = 0, h30 = 0, h31 = 0, h32 = 0, h33 = 0;
            double g0 = 0, g1 = 0, g2 = 0, g3 = 0;
            for (var y = cy - half; y <= cy + half; y++)
            {
                for (var x = cx - half; x <= cx + half; x++)
                {
                    var v = stamp.At(x, y);
                    if (float.IsNaN(v))
                    {
                        continue;
                    }

                    double dx = x - p[1], dy = y - p[2];
                    var r2 = (dx * dx) + (dy * dy);
                    var e = ex[x - cx + half] * ey[y - cy + half];
                    var residual = v - (a * e);
                    double j0 = e, j1 = a * e * dx / s2, j2 = a * e * dy / s2, j3 = a * e * r2 / (s2 * p[3]);
                    g0 += j0 * residual;
                    g1 += j1 * residual;
                    g2 += j2 * residual;
                    g3 += j3 * residual;
                    h00 += j0 * j0;
                    h10 += j1 * j0;
                    h11 += j1 * j1;
                    h20 += j2 * j0;
                    h21 += j2 * j1;
                    h22 += j2 * j2;
                    h30 += j3 * j0;
                    h31 += j3 * j1;
                    h32 += j3 * j2;
                    h33 += j3 * j3;
                }
            }

            jtr[0] = g0 * invVar;
            jtr[1] = g1 * invVar;
            jtr[2] = g2 * invVar;
            jtr[3] = g3 * invVar;
            jtj[0] = h00 * invVar;
            jtj[4] = jtj[1] = h10 * invVar;
            jtj[5] = h11 * invVar;
            jtj[8] = jtj[2] = h20 * invVar;
            jtj[9] = jtj[6] = h21 * invVar;
            jtj[10] = h22 * invVar;
            jtj[12] = jtj[3] = h30 * invVar;
            jtj[13] = jtj[7] = h31 * invVar;
            jtj[14] = jtj[11] = h32 * invVar;
            jtj[15] = h33 * invVar;

            var improved = false;
            for (var attempt = 0; attempt < 8; attempt++)
            {
                if (!SolveDamped(jtj, jtr, lambda, step))
                {
                    lambda *= 10;
                    continue;
                }

                for (var i = 0; i < 4; i++)
                {
                    trial[i] = p[i] + step[i];
                }

                trial[1] = Math.Clamp(trial[1], cx - half, cx + half);
                trial[2] = Math.Clamp(trial[2], cy - half, cy + half);
                trial[3] = Math.Clamp(trial[3], MinSigma, MaxSigma);
                var trialChi2 = Chi2(stamp, half, cx, cy, trial, out _);
                if (trialChi2 <= chi2)
                {
                    var change = chi2 - trialChi2;
                    trial.CopyTo(p);
                    lambda = Math.Max(lambda / 10, 1e-9);
                    improved = true;
                    converged = change <= 1e-7 * Math.Max(chi2, 1);
                    chi2 = trialChi2;
                    break;
                }

                lambda *= 10;
            }

            if (!improved || converged)
            {
                converged = true;
                break;
            }
        }

        return new GaussianFitResult(p[0], p[1], p[2], p[3], chi2, n, Correlation(stamp, half, cx, cy, p), converged);
    }

    private static double Chi2(Stamp stamp, int half, int cx, int cy, ReadOnlySpan<double> p, out int n)
    {
        double sum = 0;
        n = 0;
        var s2 = p[3] * p[3];
        Span<double> ex = stackalloc double[(2 * half) + 1];
        Span<double> ey = stackalloc double[(2 * half) + 1];
        AxisTerms(cx - half, p[1], s2, ex);
        AxisTerms(cy - half, p[2], s2, ey);
        for (var y = cy - half; y <= cy + half; y++)
        {
            for (var x = cx - half; x <= cx + half; x++)
            {
                var v = stamp.At(x, y);
                if (float.IsNaN(v))
                {
                    continue;
                }

                var r = (v - (p[0] * ex[x - cx + half] * ey[y - cy + half])) / stamp.Sigma;
                sum += r * r;
                n++;
            }
        }

        return sum;
    }

    private static double Correlation(Stamp stamp, int half, int cx, int cy, ReadOnlySpan<double> p)
    {
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        var n = 0;
        var s2 = p[3] * p[3];
        Span<double> ex = stackalloc double[(2 * half) + 1];
        Span<double> ey = stackalloc double[(2 * half) + 1];
        AxisTerms(cx - half, p[1], s2, ex);
        AxisTerms(cy - half, p[2], s2, ey);
        for (var y = cy - half; y <= cy + half; y++)
        {
            for (var x = cx - half; x <= cx + half; x++)
            {
                var v = stamp.At(x, y);
                if (float.IsNaN(v))
                {
                    continue;
                }

                var m = p[0] * ex[x - cx + half] * ey[y - cy + half];
                sx += v;
                sy += m;
                sxx += (double)v * v;
                syy += m * m;
                sxy += v * m;
                n++;
            }
        }

        return Statistics.Pearson(n, sx, sy, sxx, syy, sxy);
    }

    /// <summary>
    /// exp(-(c - centre)^2 / 2 s^2) for the columns (or rows) c = first, first + 1, ...: the circular Gaussian is the
    /// product of one term per axis, so a (2h+1)^2 box needs 2(2h+1) exponentials instead of (2h+1)^2.
    /// </summary>
    private static void AxisTerms(int first, double centre, double s2, Span<double> terms)
    {
        var scale = -1 / (2 * s2);
        for (var i = 0; i < terms.Length; i++)
        {
            var d = first + i - centre;
            terms[i] = Math.Exp(d * d * scale);
        }
    }

    /// <summary>Solves (JtJ + lambda diag(JtJ)) step = Jtr by Gaussian elimination with partial pivoting.</summary>
    private static bool SolveDamped(ReadOnlySpan<double> jtj, ReadOnlySpan<double> jtr, double lambda, Span<double> step)
    {
        Span<double> m = stackalloc double[20];
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                m[(r * 5) + c] = jtj[(r * 4) + c] + (r == c ? lambda * Math.Max(jtj[(r * 4) + c], 1e-12) : 0);
            }

            m[(r * 5) + 4] = jtr[r];
        }

        for (var col = 0; col < 4; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < 4; r++)
            {
                if (Math.Abs(m[(r * 5) + col]) > Math.Abs(m[(pivot * 5) + col]))
                {
                    pivot = r;
                }
            }

            if (Math.Abs(m[(pivot * 5) + col]) < 1e-300)
            {
                return false;
            }

            if (pivot != col)
            {
                for (var c = 0; c < 5; c++)
                {
                    (m[(col * 5) + c], m[(pivot * 5) + c]) = (m[(pivot * 5) + c], m[(col * 5) + c]);
                }
            }

            for (var r = col + 1; r < 4; r++)
            {
                var f = m[(r * 5) + col] / m[(col * 5) + col];
                for (var c = col; c < 5; c++)
                {
                    m[(r * 5) + c] -= f * m[(col * 5) + c];
                }
            }
        }

        for (var r = 3; r >= 0; r--)
        {
            var sum = m[(r * 5) + 4];
            for (var c = r + 1; c < 4; c++)
            {
                sum -= m[(r * 5) + c] * step[c];
            }

            step[r] = sum / m[(r * 5) + r];
        }

        foreach (var s in step)
        {
            if (!double.IsFinite(s))
            {
                return false;
            }
        }

        return true;
    }
}
