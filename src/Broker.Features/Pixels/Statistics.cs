// Small numeric helpers shared by the pixel features.
namespace Broker.Features.Pixels;

internal static class Statistics
{
    /// <summary>Pearson correlation from running sums; 0 when either side has no variance.</summary>
    public static double Pearson(int n, double sx, double sy, double sxx, double syy, double sxy)
    {
        if (n < 3)
        {
            return double.NaN;
        }

        var cov = sxy - (sx * sy / n);
        var vx = sxx - (sx * sx / n);
        var vy = syy - (sy * sy / n);
        return vx <= 1e-300 || vy <= 1e-300 ? 0 : Math.Clamp(cov / Math.Sqrt(vx * vy), -1, 1);
    }

    public static float Clip(double v, double lo, double hi) => double.IsNaN(v) ? float.NaN : (float)Math.Clamp(v, lo, hi);
}
