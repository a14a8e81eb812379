// Where the candidate sits on a stamp, and the image seeing: the two inputs pixel features need besides pixels.
// ZTF cuts 63x63 stamps centred on the candidate and trims them at CCD edges, so a trimmed stamp's candidate
// is found from the candidate's CCD position; Rubin stamps are centred.
using Broker.Alerts.Fits;
using Broker.Alerts.Model;
using Broker.Features.Pixels;
using Broker.Features.Stamps;

namespace Broker.Features.Context;

public static class StampGeometry
{
    public const int ZtfStampSize = 63;
    public const int ZtfChipWidth = 3072;
    public const int ZtfChipHeight = 3080;
    public const int RubinChipWidth = 4072;
    public const int RubinChipHeight = 4000;
    public const double ZtfDefaultSeeing = 2.0;
    public const double RubinDefaultSeeing = 3.5;

    /// <summary>Candidate pixel (0-based column, row) on a stamp of the given size.</summary>
    public static (int X, int Y) Center(Alert alert, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.Survey != Survey.Ztf
            ? ((width - 1) / 2, (height - 1) / 2)
            : (ZtfAxis(width, alert, "xpos"), ZtfAxis(height, alert, "ypos"));
    }

    /// <summary>
    /// The candidate's index along one axis of a ZTF stamp: the centre of a full stamp; on a trimmed one, its
    /// 1-based CCD position when the CCD's low edge cut the stamp, else the untrimmed centre (the high edge cut it).
    /// </summary>
    private static int ZtfAxis(int size, Alert alert, string positionField)
    {
        const int half = ZtfStampSize / 2;
        if (size >= ZtfStampSize)
        {
            return (size - 1) / 2;
        }

        var ccdPosition = alert.SourceNumber(positionField);
        var index = double.IsFinite(ccdPosition) && ccdPosition - 1 < half ? (int)Math.Round(ccdPosition - 1) : half;
        return Math.Clamp(index, 0, size - 1);
    }

    /// <summary>
    /// Seeing FWHM in pixels: Rubin's PSF stamp when the cutout has one, else measured on stars of the science
    /// stamp, else the survey's typical value.
    /// </summary>
    public static double Seeing(Alert alert, Stamp? science)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var psf = alert.Science.Hdus.FirstOrDefault(h => h.ExtensionName?.Contains("PSF", StringComparison.OrdinalIgnoreCase) == true);
        var fromPsf = psf is null ? double.NaN : PsfFwhm(psf);
        if (double.IsFinite(fromPsf) && fromPsf is > 0.5 and < 20)
        {
            return fromPsf;
        }

        var fromStars = science is null ? double.NaN : SeeingEstimator.FromStars(science);
        if (double.IsFinite(fromStars))
        {
            return fromStars;
        }

        return alert.Survey == Survey.Ztf ? ZtfDefaultSeeing : RubinDefaultSeeing;
    }

    /// <summary>FWHM of a PSF image from its second moments (exact for a Gaussian).</summary>
    public static double PsfFwhm(FitsImage psf)
    {
        ArgumentNullException.ThrowIfNull(psf);
        double w0 = 0, wx = 0, wy = 0;
        for (var y = 0; y < psf.Height; y++)
        {
            for (var x = 0; x < psf.Width; x++)
            {
                var v = psf[x, y];
                if (v > 0)
                {
                    w0 += v;
                    wx += v * x;
                    wy += v * y;
                }
            }
        }

        if (w0 <= 0)
        {
            return double.NaN;
        }

        double mx = wx / w0, my = wy / w0, second = 0;
        for (var y = 0; y < psf.Height; y++)
        {
            for (var x = 0; x < psf.Width; x++)
            {
                var v = psf[x, y];
                if (v > 0)
                {
                    second += v * (((x - mx) * (x - mx)) + ((y - my) * (y - my)));
                }
            }
        }

        return 2.3548 * Math.Sqrt(second / w0 / 2);
    }
}
