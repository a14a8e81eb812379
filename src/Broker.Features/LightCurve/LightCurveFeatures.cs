// Light-curve features from what the packet itself carries: this detection and its history (ZTF prv_candidates,
// Rubin prvDiaSources). They feed the novelty forests' "history" subspace (fast risers, odd colours, unusual
// cadence) and filters; the real/bogus models do not use them. NaN when the history is too short to say.
using Broker.Alerts.Model;
using Broker.Features.Catalog;

namespace Broker.Features.LightCurve;

public static class LightCurveFeatures
{
    private const double MinimumGapDays = 0.5;
    private const double ColorWindowDays = 1.0;
    private const string BandOrder = "ugrizy";

    public static void Compute(Alert alert, Span<float> o)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Compute(alert.Mjd, alert.Band, alert.Mag, alert.History, o);
    }

    /// <summary>
    /// The same features for a detection at <paramref name="mjd"/> over any history: the packet's (above) or an
    /// object's whole history across its alerts (the cluster's object grains). Detections at or after
    /// <paramref name="mjd"/> are ignored. Writes the light-curve slots of a catalog-sized span.
    /// </summary>
    public static void Compute(double mjd, string band, double mag, IReadOnlyList<Detection> history, Span<float> o)
    {
        ArgumentNullException.ThrowIfNull(band);
        ArgumentNullException.ThrowIfNull(history);
        var now = (Mjd: mjd, Band: band, Mag: mag);
        double lastAny = double.NaN, lastSame = double.NaN, lastSameMag = double.NaN;
        double brightest = now.Mag, faintest = now.Mag;
        var sameBand = double.IsFinite(now.Mag) ? 1 : 0;
        double colorGap = double.MaxValue, colorMag = double.NaN;
        var colorBand = "";
        Span<bool> bands = stackalloc bool[BandOrder.Length + 1];
        bands[BandIndex(now.Band)] = true;
        foreach (var d in history)
        {
            if (d.Mjd >= now.Mjd || !double.IsFinite(d.Mag))
            {
                continue;
            }

            bands[BandIndex(d.Band)] = true;
            lastAny = double.IsNaN(lastAny) ? d.Mjd : Math.Max(lastAny, d.Mjd);
            if (d.Band == now.Band)
            {
                brightest = Math.Min(brightest, d.Mag);
                faintest = Math.Max(faintest, d.Mag);
                sameBand++;
                if (now.Mjd - d.Mjd >= MinimumGapDays && (double.IsNaN(lastSame) || d.Mjd > lastSame))
                {
                    lastSame = d.Mjd;
                    lastSameMag = d.Mag;
                }
            }
            else if (now.Mjd - d.Mjd <= ColorWindowDays && now.Mjd - d.Mjd < colorGap)
            {
                colorGap = now.Mjd - d.Mjd;
                colorMag = d.Mag;
                colorBand = d.Band;
            }
        }

        o[(int)FeatureId.LcRiseRate] = double.IsNaN(lastSame) ? float.NaN : (float)((now.Mag - lastSameMag) / (now.Mjd - lastSame));
        o[(int)FeatureId.LcDaysSinceLast] = double.IsNaN(lastAny) ? float.NaN : (float)(now.Mjd - lastAny);
        o[(int)FeatureId.LcAmplitude] = sameBand >= 2 ? (float)(faintest - brightest) : float.NaN;
        o[(int)FeatureId.LcColor] = double.IsNaN(colorMag) ? float.NaN
            : BandIndex(now.Band) < BandIndex(colorBand) ? (float)(now.Mag - colorMag) : (float)(colorMag - now.Mag);
        var count = 0;
        foreach (var b in bands)
        {
            count += b ? 1 : 0;
        }

        o[(int)FeatureId.LcBands] = count;
    }

    /// <summary>Position in u g r i z y (bluest first); anything else shares the last slot, 6.</summary>
    public static int BandIndex(string band)
    {
        var i = band.Length == 1 ? BandOrder.IndexOf(band[0], StringComparison.Ordinal) : -1;
        return i >= 0 ? i : BandOrder.Length;
    }
}
