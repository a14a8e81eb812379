// ZTF alerts (ztf-avro-alert schemas 1.x .. 4.02): objectId, candid, candidate, prv_candidates (detections
// and upper limits), fp_hists (4.x forced photometry, left in Raw), and gzipped FITS cutouts. Older schemas
// lack fields that newer ones have; every lookup here tolerates that.
using Broker.Alerts.Model;
using Broker.Avro.Generic;

namespace Broker.Alerts.Ztf;

public static class ZtfAdapter
{
    /// <summary>MJD = JD - 2400000.5.</summary>
    public const double JdToMjd = 2400000.5;

    public static bool Accepts(AvroRecord record) => record.Schema.IndexOf("candidate") >= 0;

    public static Alert Build(AvroRecord alert, bool decodeCutouts, AlertEnvelope? envelope = null)
    {
        var candidate = alert["candidate"].AsRecord();
        var candid = alert.GetOrNull("candid") is { IsNull: false } c ? c.AsLong() : candidate["candid"].AsLong();
        var history = new List<Detection>();
        var limits = new List<UpperLimit>();
        if (alert.GetOrNull("prv_candidates") is { Kind: Avro.Schema.AvroType.Array } prv)
        {
            foreach (var item in prv.AsArray().Items)
            {
                var p = item.AsRecord();
                var mjd = p.GetOrNull("jd").ToDouble() - JdToMjd;
                var band = Band(p.GetOrNull("fid"));
                var mag = p.GetOrNull("magpsf").ToDouble();
                if (double.IsNaN(mag) || p.GetOrNull("candid").IsNull)
                {
                    limits.Add(new UpperLimit(mjd, band, p.GetOrNull("diffmaglim").ToDouble()));
                }
                else
                {
                    history.Add(new Detection(mjd, band, mag, p.GetOrNull("sigmapsf").ToDouble(), Positive(p.GetOrNull("isdiffpos")),
                        p.GetOrNull("ra").ToDouble(), p.GetOrNull("dec").ToDouble()));
                }
            }
        }

        var drb = candidate.GetOrNull("drb").ToDouble();
        var rb = candidate.GetOrNull("rb").ToDouble();
        return new Alert
        {
            Envelope = envelope,
            Survey = Survey.Ztf,
            AlertId = candid,
            ObjectId = alert.GetOrNull("objectId").ToText() ?? string.Empty,
            SchemaVersion = alert.GetOrNull("schemavsn").ToText() ?? "unknown",
            Mjd = candidate["jd"].ToDouble() - JdToMjd,
            Ra = candidate["ra"].ToDouble(),
            Dec = candidate["dec"].ToDouble(),
            Band = Band(candidate.GetOrNull("fid")),
            Mag = candidate.GetOrNull("magpsf").ToDouble(),
            MagErr = candidate.GetOrNull("sigmapsf").ToDouble(),
            IsPositive = Positive(candidate.GetOrNull("isdiffpos")),
            Raw = alert,
            Source = candidate,
            History = history,
            UpperLimits = limits,
            Science = CutoutOf(alert, "cutoutScience", decodeCutouts),
            Template = CutoutOf(alert, "cutoutTemplate", decodeCutouts),
            Difference = CutoutOf(alert, "cutoutDifference", decodeCutouts),
            SurveyScore = double.IsNaN(drb) ? (double.IsNaN(rb) ? null : rb) : drb,
        };
    }

    /// <summary>fid 1, 2, 3 are ZTF's g, r and i (an int in ZTF's schema; a double in Fink's pandas-written Parquet).</summary>
    public static string Band(AvroValue fid) => fid.IsNull || double.IsNaN(fid.ToDouble()) ? "?" : (long)fid.ToDouble() switch
    {
        1 => "g",
        2 => "r",
        3 => "i",
        var other => other.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>isdiffpos is 't'/'1' for a positive difference and 'f'/'0' for a negative one.</summary>
    public static bool Positive(AvroValue isdiffpos) => isdiffpos.ToText() is "t" or "1" or "T" or "true";

    private static Cutout CutoutOf(AvroRecord alert, string field, bool decode)
    {
        var value = alert.GetOrNull(field);
        if (value.IsNull)
        {
            return Cutout.Absent;
        }

        // ZTF wraps the stamp in a record {fileName, stampData}; tolerate bare bytes too.
        var bytes = value.Kind == Avro.Schema.AvroType.Record ? value.AsRecord().GetOrNull("stampData") : value;
        return bytes.IsNull ? Cutout.Absent : Cutout.From(bytes.AsBytes(), decode);
    }
}
