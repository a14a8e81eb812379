// The small records that cross the network between a silo and an object grain: one alert's photometry in, the
// object's history summary out. Tens of bytes per detection; an alert's cutouts and record never travel.
namespace Broker.Cluster.Objects;

/// <summary>One detection of the object (the alert's own or one of its packet history).</summary>
[GenerateSerializer]
[Immutable]
public readonly record struct ObjectDetection(
    [property: Id(0)] double Mjd,
    [property: Id(1)] string Band,
    [property: Id(2)] float Mag,
    [property: Id(3)] float MagErr,
    [property: Id(4)] bool IsPositive);

/// <summary>What a silo tells an object grain about one alert.</summary>
[GenerateSerializer]
[Immutable]
public sealed record ObjectAlertMessage(
    [property: Id(0)] long AlertId,
    [property: Id(1)] ObjectDetection Detection,
    [property: Id(2)] ObjectDetection[] History);

/// <summary>The object as of the alert: its history summary, and whether the alert was published before.</summary>
[GenerateSerializer]
[Immutable]
public sealed record ObjectVisitMessage(
    [property: Id(0)] int Alerts,
    [property: Id(1)] int Detections,
    [property: Id(2)] double FirstMjd,
    [property: Id(3)] double LastMjd,
    [property: Id(4)] int Bands,
    [property: Id(5)] float PeakMag,
    [property: Id(6)] float RiseRate,
    [property: Id(7)] float DaysSinceLast,
    [property: Id(8)] float Amplitude,
    [property: Id(9)] float Color,
    [property: Id(10)] bool Redelivered);
