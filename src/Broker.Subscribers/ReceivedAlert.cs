// One alert as a subscriber receives it: where it came from, the alert's identity and photometry, the broker's
// annotation, and (full payload) the whole survey alert with its cutouts. The encoded record and its schema are kept
// so it can be saved as a standard Avro file.
using Broker.Alerts.Model;
using Broker.Engine.Annotation;

namespace Broker.Subscribers;

public sealed record ReceivedAlert
{
    public required string Topic { get; init; }

    public required int Partition { get; init; }

    public required long Offset { get; init; }

    /// <summary>ztf or rubin.</summary>
    public required string Survey { get; init; }

    public required long AlertId { get; init; }

    public required string ObjectId { get; init; }

    public required double Mjd { get; init; }

    public required double Ra { get; init; }

    public required double Dec { get; init; }

    public required string Band { get; init; }

    public required double Mag { get; init; }

    public required double MagErr { get; init; }

    public required AlertAnnotation Annotation { get; init; }

    public required Payload Payload { get; init; }

    /// <summary>The survey alert (history, cutouts): full payload only.</summary>
    public Alert? Alert { get; init; }

    /// <summary>The writer schema of the message's record (JSON).</summary>
    public required string SchemaJson { get; init; }

    /// <summary>The message exactly as it came.</summary>
    public required ReadOnlyMemory<byte> Message { get; init; }

    /// <summary>The record's Avro binary encoding (the message without its container or frame).</summary>
    public required ReadOnlyMemory<byte> Datum { get; init; }

    /// <summary>When the detection was observed (UTC), from <see cref="Mjd"/>.</summary>
    public DateTime ObservedUtc => ObservingNight.Utc(Mjd);
}
