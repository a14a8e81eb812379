// The survey-neutral alert every later stage works on. Survey adapters (Ztf/, Rubin/) fill it from the
// decoded Avro; the full decoded record stays reachable (Raw, Source) so any survey field can be read by name.
using Broker.Avro.Generic;

namespace Broker.Alerts.Model;

public enum Survey
{
    Ztf,
    Rubin,
}

/// <summary>
/// Where an alert came from in its message: its encoded record bytes and, for Confluent-framed messages, the schema
/// id. The pipeline appends the broker's annotation to these bytes instead of re-encoding the alert.
/// </summary>
public sealed record AlertEnvelope(ReadOnlyMemory<byte> Datum, int? SchemaId);

/// <summary>One earlier detection or forced measurement of the same object.</summary>
public readonly record struct Detection(double Mjd, string Band, double Mag, double MagErr, bool IsPositive, double Ra, double Dec);

/// <summary>An earlier epoch with no detection: only the limiting magnitude is known.</summary>
public readonly record struct UpperLimit(double Mjd, string Band, double LimitingMag);

public sealed class Alert
{
    public required Survey Survey { get; init; }

    /// <summary>ZTF candid / Rubin diaSourceId: unique per alert.</summary>
    public required long AlertId { get; init; }

    /// <summary>ZTF objectId / Rubin diaObjectId (as text), or empty when the packet has none (early ZTF).</summary>
    public required string ObjectId { get; init; }

    /// <summary>ZTF schemavsn or the Rubin schema name (lsst.v7_4.alert); "unknown" when the packet does not say.</summary>
    public required string SchemaVersion { get; init; }

    /// <summary>Time of the detection, Modified Julian Date (ZTF jd - 2400000.5; Rubin midpointMjdTai).</summary>
    public required double Mjd { get; init; }

    public required double Ra { get; init; }

    public required double Dec { get; init; }

    /// <summary>Filter band: g, r, i for ZTF (from fid); u g r i z y for Rubin.</summary>
    public required string Band { get; init; }

    /// <summary>Difference-image PSF magnitude (AB). Rubin: from |psfFlux| in nJy.</summary>
    public required double Mag { get; init; }

    public required double MagErr { get; init; }

    /// <summary>True when the difference is positive (brighter than the template).</summary>
    public required bool IsPositive { get; init; }

    /// <summary>The whole decoded alert record.</summary>
    public required AvroRecord Raw { get; init; }

    /// <summary>The detection record: ZTF candidate / Rubin diaSource.</summary>
    public required AvroRecord Source { get; init; }

    public required IReadOnlyList<Detection> History { get; init; }

    public required IReadOnlyList<UpperLimit> UpperLimits { get; init; }

    public required Cutout Science { get; init; }

    public required Cutout Template { get; init; }

    public required Cutout Difference { get; init; }

    /// <summary>The survey's own real/bogus score if the packet carries one (ZTF drb, else rb; Rubin reliability).</summary>
    public double? SurveyScore { get; init; }

    /// <summary>A raw field of the detection record (candidate / diaSource) as a number; NaN when absent or null.</summary>
    public double SourceNumber(string field) => Source.GetOrNull(field).ToDouble();

    /// <summary>The alert's encoded bytes and schema id, when it was decoded from a message (null when built in memory).</summary>
    public AlertEnvelope? Envelope { get; init; }

    public override string ToString() => $"{Survey} {AlertId} {ObjectId} mjd={Mjd:F5} {Band} mag={Mag:F3}";
}
