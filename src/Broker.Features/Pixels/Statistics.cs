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

    /// <summary>Eigenvalues of the symmetric 2x2 moment matrix [[ixx, ixy], [ixy, iyy]], larger first.</summary>
    public static (double Major, double Minor) Eigen(double ixx, double iyy, double ixy)
    {
        var mean = (ixx + iyy) / 2;
        var root = Math.Sqrt((((ixx - iyy) / 2) * ((ixx - iyy) / 2)) + (ixy * ixy));
        return (mean + root, mean - root);
    }

    public static float Clip(double v, double lo, double hi) => double.IsNaN(v) ? float.NaN : (float)Math.Clamp(v, lo, hi);
}
