// Rubin/LSST alerts (lsst.v3_0 .. v11_0 alert schemas): diaSource, prvDiaSources, prvDiaForcedSources,
// prvDiaNondetectionLimits (up to v7), diaObject, solar-system records, and uncompressed multi-HDU FITS
// cutouts as bytes. Fluxes are in nanojansky; AB magnitude = 31.4 - 2.5 log10(flux / nJy).
using Broker.Alerts.Model;
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Alerts.Rubin;

public static class RubinAdapter
{
    /// <summary>AB zero point for fluxes in nJy.</summary>
    public const double NanojanskyZeroPoint = 31.4;

    public static bool Accepts(AvroRecord record) => record.Schema.IndexOf("diaSource") >= 0;

    public static Alert Build(AvroRecord alert, bool decodeCutouts, AlertEnvelope? envelope = null)
    {
        var source = alert["diaSource"].AsRecord();
        var flux = source.GetOrNull("psfFlux").ToDouble();
        var fluxErr = source.GetOrNull("psfFluxErr").ToDouble();
        var (mag, magErr) = Magnitude(flux, fluxErr);
        var history = new List<Detection>();
        if (alert.GetOrNull("prvDiaSources") is { Kind: AvroType.Array } prv)
        {
            foreach (var item in prv.AsArray().Items)
            {
                var p = item.AsRecord();
                var f = p.GetOrNull("psfFlux").ToDouble();
                var (m, e) = Magnitude(f, p.GetOrNull("psfFluxErr").ToDouble());
                history.Add(new Detection(Mjd(p), Band(p), m, e, f > 0, p.GetOrNull("ra").ToDouble(), Declination(p)));
            }
        }

        var limits = new List<UpperLimit>();
        if (alert.GetOrNull("prvDiaNondetectionLimits") is { Kind: AvroType.Array } nd)
        {
            foreach (var item in nd.AsArray().Items)
            {
                var p = item.AsRecord();
                var noise = p.GetOrNull("diaNoise").ToDouble();
                limits.Add(new UpperLimit(Mjd(p), Band(p), noise > 0 ? NanojanskyZeroPoint - (2.5 * Math.Log10(5 * noise)) : double.NaN));
            }
        }

        var id = source["diaSourceId"].AsLong();
        var objectId = source.GetOrNull("diaObjectId") is { IsNull: false } o ? o.AsLong() : (long?)null;
        var reliability = source.GetOrNull("reliability").ToDouble();
        return new Alert
        {
            Envelope = envelope,
            Survey = Survey.Rubin,
            AlertId = id,
            ObjectId = objectId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
            SchemaVersion = alert.Schema.FullName,
            Mjd = Mjd(source),
            Ra = source["ra"].ToDouble(),
            Dec = Declination(source),
            Band = Band(source),
            Mag = mag,
            MagErr = magErr,
            IsPositive = flux > 0,
            Raw = alert,
            Source = source,
            History = history,
            UpperLimits = limits,
            Science = CutoutOf(alert, "cutoutScience", decodeCutouts),
            Template = CutoutOf(alert, "cutoutTemplate", decodeCutouts),
            Difference = CutoutOf(alert, "cutoutDifference", decodeCutouts),
            SurveyScore = double.IsNaN(reliability) ? null : reliability,
        };
    }

    /// <summary>Magnitude of |flux| (a negative difference has a magnitude too) and its error.</summary>
    public static (double Mag, double MagErr) Magnitude(double fluxNjy, double fluxErrNjy)
    {
        var f = Math.Abs(fluxNjy);
        return f > 0 ? (NanojanskyZeroPoint - (2.5 * Math.Log10(f)), 1.0857362047581294 * fluxErrNjy / f) : (double.NaN, double.NaN);
    }

    // Field names changed over schema versions: midpointMjdTai (v5+), midPointTai (older); band (v6+), filterName (older).
    private static double Mjd(AvroRecord r) =>
        r.GetOrNull("midpointMjdTai") is { IsNull: false } m ? m.ToDouble() : r.GetOrNull("midPointTai").ToDouble();

    // Schemas before v5 call declination "decl".
    private static double Declination(AvroRecord r) =>
        r.GetOrNull("dec") is { IsNull: false } d ? d.ToDouble() : r["decl"].ToDouble();

    private static string Band(AvroRecord r) =>
        r.GetOrNull("band").ToText() ?? r.GetOrNull("filterName").ToText() ?? "?";

    private static Cutout CutoutOf(AvroRecord alert, string field, bool decode)
    {
        var value = alert.GetOrNull(field);
        return value.IsNull ? Cutout.Absent : Cutout.From(value.AsBytes(), decode);
    }
}
