// The feature vector of one alert: context features from its fields, pixel features from its cutouts. The
// difference stamp of a negative Rubin detection is flipped so the source is positive (ZTF publishes negative
// detections' difference stamps already flipped: measured on the shared ZTF set, the centre is positive for
// both isdiffpos values).
using Broker.Alerts.Model;
using Broker.Features.Catalog;
using Broker.Features.Context;
using Broker.Features.LightCurve;
using Broker.Features.Pixels;
using Broker.Features.Stamps;

namespace Broker.Features;

public static class AlertFeatures
{
    public static int Count => FeatureCatalog.Count;

    /// <summary>A new vector with every feature of <paramref name="alert"/>.</summary>
    public static float[] Extract(Alert alert)
    {
        var vector = new float[Count];
        Extract(alert, vector);
        return vector;
    }

    /// <summary>Writes every feature of <paramref name="alert"/> into <paramref name="output"/> (FeatureId order).</summary>
    public static void Extract(Alert alert, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (output.Length < Count)
        {
            throw new ArgumentException($"Output needs {Count} slots.", nameof(output));
        }

        var diffSign = alert.Survey == Survey.Rubin && !alert.IsPositive ? -1 : 1;
        using var diff = Prepare(alert, alert.Difference, diffSign);
        using var science = Prepare(alert, alert.Science, 1);
        using var template = Prepare(alert, alert.Template, 1);
        var seeing = StampGeometry.Seeing(alert, science);
        ContextFeatures.Compute(alert, seeing, output);
        LightCurveFeatures.Compute(alert, output);
        PixelFeatures.Compute(diff, science, template, seeing, output);
    }

    private static Stamp? Prepare(Alert alert, Cutout cutout, int sign)
    {
        if (cutout.Image is not { } image)
        {
            return null;
        }

        var (cx, cy) = StampGeometry.Center(alert, image.Width, image.Height);
        return Stamp.From(image, sign, cx, cy);
    }
}
