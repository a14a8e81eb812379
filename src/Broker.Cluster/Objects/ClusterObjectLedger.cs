// The pipeline's object ledger in a silo: each alert visits its object grain with its photometry (a few hundred
// bytes) and, once its outputs are stored, tells the grain it was published. Calls retry through a silo's death
// (the grain comes back on a survivor once membership declares the silo dead), so a takeover delays alerts
// instead of dead-lettering them.
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Engine.Shared;

namespace Broker.Cluster.Objects;

public sealed class ClusterObjectLedger(IGrainFactory grains, TransientRetry retry) : IObjectLedger
{
    public async ValueTask<ObjectVisit> VisitAsync(Alert alert, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.ObjectId.Length == 0)
        {
            return default;
        }

        var message = Message(alert);
        var grain = grains.GetGrain<IObjectGrain>(ObjectGrain.Key(AnnotationEncoder.SurveyName(alert.Survey), alert.ObjectId));
        var v = await retry.RunAsync(() => grain.Visit(message), cancel).ConfigureAwait(false);
        return new ObjectVisit(
            new ObjectHistory(v.Alerts, v.Detections, v.FirstMjd, v.LastMjd, v.Bands, v.PeakMag, v.RiseRate, v.DaysSinceLast, v.Amplitude, v.Color),
            v.Redelivered);
    }

    public async ValueTask PublishedAsync(Alert alert, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.ObjectId.Length == 0)
        {
            return;
        }

        var grain = grains.GetGrain<IObjectGrain>(ObjectGrain.Key(AnnotationEncoder.SurveyName(alert.Survey), alert.ObjectId));
        await retry.RunAsync(() => grain.Published(alert.AlertId), cancel).ConfigureAwait(false);
    }

    /// <summary>The object grain the warm-up reads: under no survey's name, so no alert ever visits it.</summary>
    public static readonly string WarmUpKey = ObjectGrain.Key("broker", "warmup");

    /// <summary>
    /// Activates one object grain and reads its (empty) detections, so Orleans' call path (placement, activation,
    /// storage read, serialization) is compiled before the first alert waits for it: with tiered compilation off, a
    /// silo's first alerts otherwise queue behind it (broker demo p99 382 -> 319 ms, docs/performance.md).
    /// </summary>
    public async ValueTask WarmUpAsync(CancellationToken cancel) =>
        await grains.GetGrain<IObjectGrain>(WarmUpKey).Detections().WaitAsync(cancel).ConfigureAwait(false);

    /// <summary>The alert's photometry as the grain takes it (detections only; upper limits stay in the packet).</summary>
    public static ObjectAlertMessage Message(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var history = new ObjectDetection[alert.History.Count];
        for (var i = 0; i < history.Length; i++)
        {
            var d = alert.History[i];
            history[i] = new ObjectDetection(d.Mjd, d.Band, (float)d.Mag, (float)d.MagErr, d.IsPositive);
        }

        return new ObjectAlertMessage(alert.AlertId, new ObjectDetection(alert.Mjd, alert.Band, (float)alert.Mag, (float)alert.MagErr, alert.IsPositive), history);
    }
}
