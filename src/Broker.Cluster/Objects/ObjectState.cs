// What an object grain persists: its detections (one per time and band, oldest first, capped) and the ids of its
// alerts seen and published. The history logic lives here, apart from Orleans, so it is tested on its own.
using Broker.Alerts.Model;
using Broker.Features.Catalog;
using Broker.Features.LightCurve;

namespace Broker.Cluster.Objects;

[GenerateSerializer]
public sealed class ObjectState
{
    /// <summary>Detections kept per object; the oldest go first beyond it (a decade of ZTF cadence is ~2,000).</summary>
    public const int MaxDetections = 4096;

    /// <summary>Alert ids remembered per object (seen and published); the oldest go first beyond it.</summary>
    public const int MaxAlertIds = 4096;

    // Two detections are the same when they are this close in time (~0.1 s) in the same band.
    private const double SameTimeDays = 1e-6;

    [Id(0)]
    public List<ObjectDetection> Detections { get; set; } = [];

    [Id(1)]
    public List<long> SeenAlerts { get; set; } = [];

    [Id(2)]
    public List<long> PublishedAlerts { get; set; } = [];

    /// <summary>Merges one alert into the history and summarises the object as of its detection.</summary>
    public ObjectVisitMessage Visit(ObjectAlertMessage alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Add(alert.Detection);
        foreach (var d in alert.History)
        {
            Add(d);
        }

        if (!SeenAlerts.Contains(alert.AlertId))
        {
            Remember(SeenAlerts, alert.AlertId);
        }

        var now = alert.Detection;
        var history = new List<Detection>(Detections.Count);
        var bands = new HashSet<string>(StringComparer.Ordinal);
        var peak = float.NaN;
        foreach (var d in Detections)
        {
            history.Add(new Detection(d.Mjd, d.Band, d.Mag, d.MagErr, d.IsPositive, double.NaN, double.NaN));
            if (float.IsFinite(d.Mag))
            {
                bands.Add(d.Band);
                peak = float.IsNaN(peak) ? d.Mag : Math.Min(peak, d.Mag);
            }
        }

        Span<float> lc = stackalloc float[FeatureCatalog.Count];
        LightCurveFeatures.Compute(now.Mjd, now.Band, now.Mag, history, lc);
        return new ObjectVisitMessage(
            SeenAlerts.Count,
            Detections.Count,
            Detections.Count > 0 ? Detections[0].Mjd : now.Mjd,
            Detections.Count > 0 ? Detections[^1].Mjd : now.Mjd,
            bands.Count,
            peak,
            lc[(int)FeatureId.LcRiseRate],
            lc[(int)FeatureId.LcDaysSinceLast],
            lc[(int)FeatureId.LcAmplitude],
            lc[(int)FeatureId.LcColor],
            PublishedAlerts.Contains(alert.AlertId));
    }

    /// <summary>True when this call recorded it (false: it was already known as published).</summary>
    public bool Published(long alertId)
    {
        if (PublishedAlerts.Contains(alertId))
        {
            return false;
        }

        Remember(PublishedAlerts, alertId);
        return true;
    }

    private void Add(ObjectDetection d)
    {
        if (!double.IsFinite(d.Mjd))
        {
            return;
        }

        // Binary search by time; detections arrive mostly in order, so the insertion is usually at the end.
        var lo = 0;
        var hi = Detections.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Detections[mid].Mjd < d.Mjd - SameTimeDays)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        for (var i = lo; i < Detections.Count && Detections[i].Mjd <= d.Mjd + SameTimeDays; i++)
        {
            if (Detections[i].Band == d.Band)
            {
                return;
            }
        }

        Detections.Insert(lo, d);
        if (Detections.Count > MaxDetections)
        {
            Detections.RemoveAt(0);
        }
    }

    private static void Remember(List<long> ids, long id)
    {
        ids.Add(id);
        if (ids.Count > MaxAlertIds)
        {
            ids.RemoveAt(0);
        }
    }
}
