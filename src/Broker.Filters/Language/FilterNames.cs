// The names a filter can use. Survey-neutral names mean the same on ZTF and Rubin alerts (the survey adapters
// already map both onto Alert; the broker's annotation is the same for both). Raw fields are reached by path from
// the alert record (`candidate.magpsf`, `diaSource.psfFlux`, `alert.objectId` for a top-level field); a path that
// an alert does not have is null for that alert, so one filter can mention both surveys' fields.
using Broker.Alerts.Model;
using Broker.Avro.Generic;
using Broker.Avro.Schema;
using Broker.Engine.Annotation;
using Broker.Features.Catalog;

namespace Broker.Filters.Language;

public enum FilterType
{
    Number,
    Text,
    Logic,

    /// <summary>The literal `null`: only `is null` / `is not null` and `in` lists accept it.</summary>
    Null,

    /// <summary>A raw field: a number, text or boolean depending on the alert; read as the context needs.</summary>
    Raw,
}

public sealed record FilterName(string Name, FilterType Type, string Description, Delegate Read);

public static class FilterNames
{
    /// <summary>First parts of a raw path: the records of the ZTF and Rubin alert schemas, and `alert` for the top level.</summary>
    public static IReadOnlyList<string> RawRoots { get; } = ["alert", "candidate", "diaSource", "diaObject", "ssObject", "ssSource", "MPCORB"];

    private static readonly Dictionary<string, FilterName> Names = Build();

    public static IEnumerable<FilterName> All => Names.Values.OrderBy(n => n.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out FilterName found) => Names.TryGetValue(name, out found!);

    public static bool IsRawPath(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && RawRoots.Contains(name[..dot], StringComparer.Ordinal);
    }

    private static Dictionary<string, FilterName> Build()
    {
        var names = new List<FilterName>
        {
            Number("rb", "real/bogus probability from the boosted trees", (_, a) => Decimal(a.Rb)),
            Number("cnn", "real/bogus probability from the cutout CNN (null without a CNN model)", (_, a) => Decimal(a.Cnn)),
            Number("rb_combined", "stacked trees + CNN probability (null without a CNN model)", (_, a) => Decimal(a.RbCombined)),
            Number("novelty", "novelty score, 0..1 (null while the forests warm up)", (_, a) => Decimal(a.Novelty?.Score)),
            Text("novelty.subspace", "the feature subspace that made the alert unusual", (_, a) => a.Novelty?.Subspace),
            Number("survey_rb", "the survey's own score: ZTF drb (else rb), Rubin reliability", (x, _) => x.SurveyScore ?? double.NaN),
            Number("mag", "difference-image PSF magnitude (AB)", (x, _) => x.Mag),
            Number("magerr", "its uncertainty (mag)", (x, _) => x.MagErr),
            Number("snr", "signal-to-noise of the detection, 1.0857 / magerr", (x, _) => x.MagErr > 0 ? 1.0857 / x.MagErr : double.NaN),
            Text("band", "filter band: g r i (ZTF), u g r i z y (Rubin)", (x, _) => x.Band),
            Number("ra", "right ascension, degrees", (x, _) => x.Ra),
            Number("dec", "declination, degrees", (x, _) => x.Dec),
            Number("mjd", "time of the detection, MJD", (x, _) => x.Mjd),
            Logic("positive", "the difference is positive (brighter than the template)", (x, _) => x.IsPositive),
            Text("survey", "'ztf' or 'rubin'", (x, _) => AnnotationEncoder.SurveyName(x.Survey)),
            Text("object_id", "ZTF objectId / Rubin diaObjectId", (x, _) => x.ObjectId.Length == 0 ? null : x.ObjectId),
            Number("ndet", "detections in the packet, this one included", (x, _) => x.History.Count + 1),
            Number("age_days", "days since the first detection in the packet (0 for a first detection)", (x, _) => AgeDays(x)),
            Number("dmdt", "mag per day since the latest earlier detection in the same band (negative: brightening); null without one", (x, _) => Dmdt(x)),
            Logic("first_detection", "the packet has no earlier detection", (x, _) => x.History.Count == 0),
            Logic("redelivered", "the cluster already published this alert (a re-read after a crash); filtered topics never see it", (_, a) => a.Redelivered),

            // The object's whole history across its alerts (the cluster's object grains); null without one.
            Number("object.alerts", "alerts of this object the broker has seen, this one included", (_, a) => a.Object?.Alerts ?? double.NaN),
            Number("object.detections", "distinct detections across all its alerts", (_, a) => a.Object?.Detections ?? double.NaN),
            Number("object.age_days", "days from the object's first detection to this one", (x, a) => a.Object is { } o ? x.Mjd - o.FirstMjd : double.NaN),
            Number("object.bands", "distinct bands detected", (_, a) => a.Object?.Bands ?? double.NaN),
            Number("object.peak_mag", "brightest detection, any band", (_, a) => Decimal(a.Object?.PeakMag)),
            Number("object.rise_rate", "lc_rise_rate over the whole history (mag/day; negative: brightening)", (_, a) => Decimal(a.Object?.RiseRate)),
            Number("object.days_since_last", "lc_days_since_last over the whole history", (_, a) => Decimal(a.Object?.DaysSinceLast)),
            Number("object.amplitude", "lc_amplitude over the whole history", (_, a) => Decimal(a.Object?.Amplitude)),
            Number("object.color", "lc_color over the whole history", (_, a) => Decimal(a.Object?.Color)),
        };
        for (var i = 0; i < FeatureCatalog.Count; i++)
        {
            var index = i;
            var feature = FeatureCatalog.All[i];
            names.Add(Number("feature." + feature.Name, "hand-built feature (docs/features.md)", (_, a) => index < a.Features.Length ? Decimal(a.Features[index]) : double.NaN));
        }

        return names.ToDictionary(n => n.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// A float score or feature as the double nearest its shortest decimal form (at most 7 significant digits):
    /// 0.8f reads as 0.8, so `rb >= 0.8` passes an alert whose rb is printed as 0.8. Null and NaN read as null.
    /// </summary>
    private static double Decimal(float? value) => value is { } v && float.IsFinite(v) ? (double)(decimal)v : double.NaN;

    private static double AgeDays(Alert alert)
    {
        var first = alert.Mjd;
        foreach (var d in alert.History)
        {
            first = Math.Min(first, d.Mjd);
        }

        return alert.Mjd - first;
    }

    private static double Dmdt(Alert alert)
    {
        Detection? previous = null;
        foreach (var d in alert.History)
        {
            if (d.Band == alert.Band && d.Mjd < alert.Mjd && (previous is null || d.Mjd > previous.Value.Mjd))
            {
                previous = d;
            }
        }

        return previous is { } p ? (alert.Mag - p.Mag) / (alert.Mjd - p.Mjd) : double.NaN;
    }

    private static FilterName Number(string name, string description, Func<Alert, AlertAnnotation, double> read) => new(name, FilterType.Number, description, read);

    private static FilterName Text(string name, string description, Func<Alert, AlertAnnotation, string?> read) => new(name, FilterType.Text, description, read);

    private static FilterName Logic(string name, string description, Func<Alert, AlertAnnotation, bool> read) => new(name, FilterType.Logic, description, read);

    /// <summary>The value at a raw path (root segment `alert` is the top level), or null.</summary>
    public static AvroValue ReadRaw(Alert alert, string[] path)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(path);
        var value = AvroValue.FromRecord(alert.Raw);
        for (var i = path[0] == "alert" ? 1 : 0; i < path.Length; i++)
        {
            if (value.Kind != AvroType.Record || !value.AsRecord().TryGet(path[i], out value))
            {
                return AvroValue.Null;
            }
        }

        return value;
    }

    public static double RawNumber(AvroValue value) => value.Kind switch
    {
        AvroType.Int or AvroType.Long or AvroType.Float or AvroType.Double => value.ToDouble(),
        AvroType.Boolean => value.AsBoolean() ? 1 : 0,
        _ => double.NaN,
    };

    public static string? RawText(AvroValue value) => value.Kind switch
    {
        AvroType.String => value.AsString(),
        AvroType.Enum => value.AsEnumSymbol(),
        _ => null,
    };

    public static sbyte RawLogic(AvroValue value) => value.Kind == AvroType.Boolean ? Language.Logic.Of(value.AsBoolean()) : Language.Logic.Unknown;

    public static bool RawIsNull(AvroValue value) => value.Kind switch
    {
        AvroType.Null => true,
        AvroType.Float or AvroType.Double => double.IsNaN(value.ToDouble()),
        _ => false,
    };
}
