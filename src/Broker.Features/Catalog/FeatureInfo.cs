// What one feature is: its name in vectors, models and filters, and the documentation docs/features.md shows.
namespace Broker.Features.Catalog;

public enum FeatureGroup
{
    /// <summary>Measured on the cutout pixels, identically for every survey.</summary>
    Pixel,

    /// <summary>Survey-neutral quantities from the alert's fields.</summary>
    Context,

    /// <summary>ZTF's own pipeline quantities, passed through.</summary>
    Ztf,

    /// <summary>Rubin's own pipeline quantities, passed through.</summary>
    Rubin,

    /// <summary>The object's light curve in the packet (this detection and its history), survey-neutral.</summary>
    LightCurve,
}

public sealed record FeatureInfo(
    FeatureId Id,
    string Name,
    FeatureGroup Group,
    string Unit,
    string Inputs,
    string Definition,
    string Lineage)
{
    public int Index => (int)Id;

    public string Surveys => Group switch
    {
        FeatureGroup.Ztf => "ZTF",
        FeatureGroup.Rubin => "Rubin",
        _ => Inputs.Contains("ZTF only", StringComparison.Ordinal) ? "ZTF" : "ZTF, Rubin",
    };
}
