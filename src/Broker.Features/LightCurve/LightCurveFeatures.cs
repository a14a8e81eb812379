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
        double lastAny = double.NaN, lastSame = double.NaN, lastSameMag = double.NaN;
        double brightest = alert.Mag, faintest = alert.Mag;
        var sameBand = double.IsFinite(alert.Mag) ? 1 : 0;
        double colorGap = double.MaxValue, colorMag = double.NaN;
        var colorBand = "";
        Span<bool> bands = stackalloc bool[BandOrder.Length + 1];
        bands[BandIndex(alert.Band)] = true;
        foreach (var d in alert.History)
        {
            if (d.Mjd >= alert.Mjd || !double.IsFinite(d.Mag))
            {
                continue;
            }

            bands[BandIndex(d.Band)] = true;
            lastAny = double.IsNaN(lastAny) ? d.Mjd : Math.Max(lastAny, d.Mjd);
            if (d.Band == alert.Band)
            {
                brightest = Math.Min(brightest, d.Mag);
                faintest = Math.Max(faintest, d.Mag);
                sameBand++;
                if (alert.Mjd - d.Mjd >= MinimumGapDays && (double.IsNaN(lastSame) || d.Mjd > lastSame))
                {
                    lastSame = d.Mjd;
                    lastSameMag = d.Mag;
                }
            }
            else if (alert.Mjd - d.Mjd <= ColorWindowDays && alert.Mjd - d.Mjd < colorGap)
            {
                colorGap = alert.Mjd - d.Mjd;
                colorMag = d.Mag;
                colorBand = d.Band;
            }
        }

        o[(int)FeatureId.LcRiseRate] = double.IsNaN(lastSame) ? float.NaN : (float)((alert.Mag - lastSameMag) / (alert.Mjd - lastSame));
        o[(int)FeatureId.LcDaysSinceLast] = double.IsNaN(lastAny) ? float.NaN : (float)(alert.Mjd - lastAny);
        o[(int)FeatureId.LcAmplitude] = sameBand >= 2 ? (float)(faintest - brightest) : float.NaN;
        o[(int)FeatureId.LcColor] = double.IsNaN(colorMag) ? float.NaN
            : BandIndex(alert.Band) < BandIndex(colorBand) ? (float)(alert.Mag - colorMag) : (float)(colorMag - alert.Mag);
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
