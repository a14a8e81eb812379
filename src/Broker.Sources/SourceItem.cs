// One thing an alert source yields: an alert message (bytes the AlertDecoder reads: an Avro container file or a
// Confluent frame) with where it came from, or a problem: a file, entry or row that could not be rebuilt, with
// the reason. Problems are items, not exceptions, so a mixed folder reads what it can and says what it could not.
namespace Broker.Sources;

/// <summary>The forms an alert can be held in.</summary>
public enum SourceFormat
{
    /// <summary>An Avro object container file (ZTF's alert files, Rubin samples, Fink's rewritten files).</summary>
    AvroContainer,

    /// <summary>A Confluent-framed message (magic 0, a 4-byte schema id, the Avro body): a Kafka dump.</summary>
    ConfluentFrame,

    /// <summary>An Avro message body without framing, read with a schema file (--schema, or schema.json beside it).</summary>
    SchemalessAvro,

    /// <summary>An entry of a tar (or .tar.gz) archive, such as ZTF's public nightly tarballs.</summary>
    Tarball,

    /// <summary>A row of a Parquet file in one of Fink's layouts (ZTF or Rubin, with or without the schema sidecar).</summary>
    FinkParquet,

    /// <summary>A record of the broker's own night archive (annotated alerts).</summary>
    BrokerArchive,

    /// <summary>Nothing could be read: see the item's problem.</summary>
    Unknown,
}

/// <summary>
/// An alert message read from <paramref name="Path"/> (its <paramref name="Name"/> says which entry or row), or,
/// when <paramref name="Message"/> is null, the <paramref name="Problem"/> that kept it from being read.
/// </summary>
public sealed record SourceItem(string Path, string Name, SourceFormat Format, byte[]? Message, string? Problem = null)
{
    /// <summary>Extra facts a format knows about the item (Fink's layout, the survey read from the columns).</summary>
    public string? Detail { get; init; }

    public bool IsProblem => Message is null;

    public static SourceItem Failed(string path, SourceFormat format, string problem) => new(path, System.IO.Path.GetFileName(path), format, null, problem);
}
