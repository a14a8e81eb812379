// The feature vector of one alert: context and light-curve features from its fields, pixel features from its
// cutouts (prepared by TripletStamps, which the CNN's input shares).
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

        using var stamps = TripletStamps.Prepare(alert);
        Extract(alert, stamps, output);
    }

    /// <summary>Same, from stamps the caller prepared (the pipeline prepares them once for the features and the CNN).</summary>
    public static void Extract(Alert alert, TripletStamps stamps, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(stamps);
        if (output.Length < Count)
        {
            throw new ArgumentException($"Output needs {Count} slots.", nameof(output));
        }

        var seeing = StampGeometry.Seeing(alert, stamps.Science);
        ContextFeatures.Compute(alert, seeing, output);
        LightCurveFeatures.Compute(alert, output);
        PixelFeatures.Compute(stamps.Difference, stamps.Science, stamps.Template, seeing, output);
    }
}
