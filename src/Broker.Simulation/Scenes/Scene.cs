// A real alert's sky, ready to host generated candidates: its science and template stamps with the alert's own
// candidate taken out, and a difference-image background made of the alert's own difference noise (the central
// block replaced by one of its quieter corners), so injected sources sit on real noise, real neighbours and real
// hosts. Photometric scales come from the alert: the difference/science zero point, and the template's flux
// scale relative to the science image.
using Broker.Alerts.Fits;
using Broker.Alerts.Model;
using Broker.Features.Context;
using Broker.Features.Pixels;
using Broker.Features.Stamps;

namespace Broker.Simulation.Scenes;

public sealed class Scene
{
    /// <summary>Half-size of the central block whose difference pixels are replaced (15x15).</summary>
    public const int CleanHalfSize = 7;

    private Scene(Alert source, int width, int height)
    {
        Source = source;
        Width = width;
        Height = height;
    }

    public Alert Source { get; }

    public int Width { get; }

    public int Height { get; }

    public int CenterX { get; private init; }

    public int CenterY { get; private init; }

    /// <summary>Seeing FWHM in pixels.</summary>
    public double Seeing { get; private init; }

    public float[] Science { get; private init; } = [];

    public float[] Template { get; private init; } = [];

    /// <summary>The difference stamp with the alert's own candidate replaced by nearby noise.</summary>
    public float[] DifferenceBackground { get; private init; } = [];

    public float SigmaScience { get; private init; }

    public float SigmaTemplate { get; private init; }

    public float SigmaDifference { get; private init; }

    /// <summary>Science flux units per template flux unit (how much brighter a star looks in S than in T).</summary>
    public double TemplateScale { get; private init; }

    /// <summary>mag = ZeroPoint - 2.5 log10(flux in difference/science units).</summary>
    public double ZeroPoint { get; private init; }

    /// <summary>Extra HDUs after the image in each cutout (Rubin: variance, PSF), kept as they were.</summary>
    public IReadOnlyList<FitsImage> ScienceExtras { get; private init; } = [];

    public IReadOnlyList<FitsImage> TemplateExtras { get; private init; } = [];

    public IReadOnlyList<FitsImage> DifferenceExtras { get; private init; } = [];

    public bool Gzipped { get; private init; }

    /// <summary>A scene from an alert with three FITS cutouts of one size (at least 21x21), or null.</summary>
    public static Scene? From(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.Science.Image is not { } s || alert.Template.Image is not { } t || alert.Difference.Image is not { } d)
        {
            return null;
        }

        if (s.Width != d.Width || s.Height != d.Height || t.Width != d.Width || t.Height != d.Height || d.Width < 21 || d.Height < 21)
        {
            return null;
        }

        if (alert.Survey == Survey.Ztf && (d.Width != StampGeometry.ZtfStampSize || d.Height != StampGeometry.ZtfStampSize))
        {
            return null; // trimmed ZTF stamps: the generator makes its own edges
        }

        var (cx, cy) = StampGeometry.Center(alert, d.Width, d.Height);
        if (cx < CleanHalfSize + 1 || cy < CleanHalfSize + 1 || cx > d.Width - CleanHalfSize - 2 || cy > d.Height - CleanHalfSize - 2)
        {
            return null;
        }

        using var ps = Stamp.From(s, 1, cx, cy);
        using var pt = Stamp.From(t, 1, cx, cy);
        var sign = alert.Survey == Survey.Rubin && !alert.IsPositive ? -1 : 1;
        using var pd = Stamp.From(d, sign, cx, cy);
        if (ps is null || pt is null || pd is null)
        {
            return null;
        }

        var science = (float[])s.Pixels.Clone();
        var template = (float[])t.Pixels.Clone();
        var diff = (float[])d.Pixels.Clone();
        if (sign < 0)
        {
            for (var i = 0; i < diff.Length; i++)
            {
                diff[i] = -diff[i];
            }
        }

        var flux = PixelFeatures.BoxSum(pd, 4);
        if (alert.IsPositive)
        {
            // Take the alert's own transient out of the science image with a tapered copy of its difference.
            RemoveCandidate(science, diff, d.Width, d.Height, cx, cy, pd.Background);
        }

        ReplaceCentre(diff, d.Width, d.Height, cx, cy, pd.Sigma);
        return new Scene(alert, d.Width, d.Height)
        {
            CenterX = cx,
            CenterY = cy,
            Seeing = StampGeometry.Seeing(alert, ps),
            Science = science,
            Template = template,
            DifferenceBackground = diff,
            SigmaScience = ps.Sigma,
            SigmaTemplate = pt.Sigma,
            SigmaDifference = pd.Sigma,
            TemplateScale = TemplateScaleOf(ps, pt),
            ZeroPoint = ZeroPointOf(alert, flux),
            ScienceExtras = [.. alert.Science.Hdus.Skip(1)],
            TemplateExtras = [.. alert.Template.Hdus.Skip(1)],
            DifferenceExtras = [.. alert.Difference.Hdus.Skip(1)],
            Gzipped = alert.Difference.Gzipped,
        };
    }

    private static void RemoveCandidate(float[] science, float[] diff, int width, int height, int cx, int cy, float diffBackground)
    {
        for (var y = cy - CleanHalfSize; y <= cy + CleanHalfSize; y++)
        {
            for (var x = cx - CleanHalfSize; x <= cx + CleanHalfSize; x++)
            {
                if (x < 0 || y < 0 || x >= width || y >= height)
                {
                    continue;
                }

                var i = (y * width) + x;
                var r2 = ((x - cx) * (x - cx)) + ((y - cy) * (y - cy));
                var taper = Math.Exp(-r2 / (2.0 * 4 * 4));
                if (float.IsFinite(diff[i]) && float.IsFinite(science[i]))
                {
                    science[i] -= (float)(taper * (diff[i] - diffBackground));
                }
            }
        }
    }

    /// <summary>Replaces the central block with the quietest corner block (fewest 3-sigma pixels), mirrored.</summary>
    private static void ReplaceCentre(float[] diff, int width, int height, int cx, int cy, float sigma)
    {
        const int size = (2 * CleanHalfSize) + 1;
        (int X, int Y)[] corners = [(0, 0), (width - size, 0), (0, height - size), (width - size, height - size)];
        var best = corners[0];
        var bestScore = int.MaxValue;
        foreach (var (ox, oy) in corners)
        {
            var score = 0;
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var v = diff[((oy + y) * width) + ox + x];
                    score += float.IsFinite(v) ? (Math.Abs(v) > 3 * sigma ? 1 : 0) : 4;
                }
            }

            if (score < bestScore)
            {
                bestScore = score;
                best = (ox, oy);
            }
        }

        var block = new float[size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                // Mirrored so the copy is not a translate of a corner a feature could match.
                block[(y * size) + x] = diff[((best.Y + size - 1 - y) * width) + best.X + size - 1 - x];
            }
        }

        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var tx = cx - CleanHalfSize + x;
                var ty = cy - CleanHalfSize + y;
                var v = block[(y * size) + x];
                diff[(ty * width) + tx] = float.IsFinite(v) ? v : 0;
            }
        }
    }

    private static double TemplateScaleOf(Stamp s, Stamp t)
    {
        double st = 0, tt = 0;
        var n = 0;
        for (var y = 0; y < t.Height; y++)
        {
            for (var x = 0; x < t.Width; x++)
            {
                if (Math.Abs(x - t.CenterX) <= CleanHalfSize && Math.Abs(y - t.CenterY) <= CleanHalfSize)
                {
                    continue;
                }

                var tv = t[x, y];
                var sv = s.At(x, y);
                if (tv > 5 * t.Sigma && float.IsFinite(sv))
                {
                    st += (double)sv * tv;
                    tt += (double)tv * tv;
                    n++;
                }
            }
        }

        return n >= 20 && tt > 0 ? Math.Clamp(st / tt, 0.01, 100) : 1;
    }

    private static double ZeroPointOf(Alert alert, double flux)
    {
        if (alert.Survey == Survey.Rubin)
        {
            return 31.4; // Rubin pixels are in nJy: m_AB = 31.4 - 2.5 log10(f / nJy)
        }

        var zp = alert.SourceNumber("magzpsci");
        if (double.IsFinite(zp) && zp is > 15 and < 40)
        {
            return zp;
        }

        return flux > 0 && double.IsFinite(alert.Mag) ? alert.Mag + (2.5 * Math.Log10(flux)) : 26.0;
    }
}
