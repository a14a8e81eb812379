// Context and survey-pipeline features: read from the alert's own fields, NaN where the survey does not have
// the quantity. Survey-neutral definitions live in FeatureCatalog.
using Broker.Alerts.Model;
using Broker.Features.Catalog;
using Broker.Features.Pixels;

namespace Broker.Features.Context;

public static class ContextFeatures
{
    public static void Compute(Alert alert, double seeing, Span<float> o)
    {
        ArgumentNullException.ThrowIfNull(alert);
        foreach (var f in FeatureCatalog.All)
        {
            if (f.Group != FeatureGroup.Pixel)
            {
                o[f.Index] = float.NaN;
            }
        }

        o[(int)FeatureId.Magnitude] = (float)alert.Mag;
        o[(int)FeatureId.MagnitudeError] = (float)alert.MagErr;
        o[(int)FeatureId.DetectionSnr] = alert.MagErr > 0 ? (float)(1.0857 / alert.MagErr) : float.NaN;
        o[(int)FeatureId.IsPositive] = alert.IsPositive ? 1 : 0;
        o[(int)FeatureId.SeeingPixels] = (float)seeing;
        o[(int)FeatureId.DetectionCount] = alert.History.Count + 1;
        var first = alert.Mjd;
        foreach (var d in alert.History)
        {
            first = Math.Min(first, d.Mjd);
        }

        o[(int)FeatureId.HistorySpanDays] = (float)(alert.Mjd - first);

        if (alert.Survey == Survey.Ztf)
        {
            Ztf(alert, o);
        }
        else
        {
            Rubin(alert, o);
        }
    }

    private static void Ztf(Alert a, Span<float> o)
    {
        o[(int)FeatureId.MagMinusLimit] = (float)(a.Mag - a.SourceNumber("diffmaglim"));
        o[(int)FeatureId.ChipEdgeDistance] = EdgeDistance(a.SourceNumber("xpos") - 1, a.SourceNumber("ypos") - 1, StampGeometry.ZtfChipWidth, StampGeometry.ZtfChipHeight);
        o[(int)FeatureId.SourceElongation] = (float)a.SourceNumber("elong");
        foreach (var f in FeatureCatalog.InGroup(FeatureGroup.Ztf))
        {
            o[f.Index] = (float)a.SourceNumber(f.Name["ztf_".Length..]);
        }
    }

    private static void Rubin(Alert a, Span<float> o)
    {
        o[(int)FeatureId.ChipEdgeDistance] = EdgeDistance(a.SourceNumber("x"), a.SourceNumber("y"), StampGeometry.RubinChipWidth, StampGeometry.RubinChipHeight);
        double ixx = a.SourceNumber("ixx"), iyy = a.SourceNumber("iyy"), ixy = a.SourceNumber("ixy");
        var (major, minor) = Statistics.Eigen(ixx, iyy, ixy);
        o[(int)FeatureId.SourceElongation] = minor > 0 ? (float)Math.Sqrt(major / minor) : float.NaN;
        o[(int)FeatureId.RubinExtendedness] = (float)a.SourceNumber("extendedness");
        o[(int)FeatureId.RubinTrailLength] = (float)a.SourceNumber("trailLength");
        o[(int)FeatureId.RubinDipoleLength] = (float)a.SourceNumber("dipoleLength");
        var ndata = a.SourceNumber("psfNdata");
        o[(int)FeatureId.RubinPsfReducedChi2] = ndata > 0 ? (float)(a.SourceNumber("psfChi2") / ndata) : float.NaN;
        var psf = a.SourceNumber("psfFlux");
        o[(int)FeatureId.RubinApToPsfFlux] = psf != 0 ? (float)(a.SourceNumber("apFlux") / psf) : float.NaN;
        o[(int)FeatureId.RubinIsDipole] = (float)a.SourceNumber("isDipole");
        o[(int)FeatureId.RubinCosmicRayFlag] = (float)a.SourceNumber("pixelFlags_cr");
        o[(int)FeatureId.RubinEdgeFlag] = (float)a.SourceNumber("pixelFlags_edge");
    }

    private static float EdgeDistance(double x, double y, int width, int height) =>
        double.IsFinite(x) && double.IsFinite(y)
            ? (float)Math.Min(Math.Min(x + 0.5, width - 0.5 - x), Math.Min(y + 0.5, height - 0.5 - y))
            : float.NaN;
}
