// What the pipeline asks about an alert's object: its history across every alert the broker has seen of it (not
// only the packet's), and whether this very alert was already published (re-delivered after a crash or a
// rebalance). In the cluster an object grain per survey object answers (Broker.Cluster's ObjectGrain); a pipeline
// without one (no ledger) annotates from the packet alone and cannot recognise re-deliveries.
using Broker.Alerts.Model;

namespace Broker.Engine.Shared;

public interface IObjectLedger
{
    /// <summary>Records the alert's detection and packet history with its object; returns what is known now.</summary>
    ValueTask<ObjectVisit> VisitAsync(Alert alert, CancellationToken cancel);

    /// <summary>Remembers that every output of the alert is stored, so a re-delivery of it is recognised.</summary>
    ValueTask PublishedAsync(Alert alert, CancellationToken cancel);

    /// <summary>Exercises the ledger's call path once without recording anything (before the first alert).</summary>
    ValueTask WarmUpAsync(CancellationToken cancel) => ValueTask.CompletedTask;
}

/// <summary>The answer to a visit: the object's history so far (null when the alert names no object) and whether the alert was published before.</summary>
public readonly record struct ObjectVisit(ObjectHistory? History, bool Redelivered);

/// <summary>
/// An object's light curve across all its alerts, as of this alert: counts, time span, and the packet light-curve
/// features (docs/features.md, lc_*) computed over the whole history instead of the packet's.
/// </summary>
public sealed record ObjectHistory(
    int Alerts,
    int Detections,
    double FirstMjd,
    double LastMjd,
    int Bands,
    float PeakMag,
    float RiseRate,
    float DaysSinceLast,
    float Amplitude,
    float Color)
{
    /// <summary>Days between the first and the latest detection.</summary>
    public double DurationDays => LastMjd - FirstMjd;
}
