// The night archive's own settings (the `archive` section of the broker's configuration), owned here with their
// validation and path resolution; the configuration file binds the section (PipelineOptions.Archive).
namespace Broker.Archive;

/// <summary>
/// The night archive (docs/operations.md, "Archive"): every published alert as Avro container files per survey and
/// observing night, with a Parquet index per file. Part of "outputs stored": an offset is committed only after its
/// alerts are on disk here.
/// </summary>
public sealed record ArchiveOptions
{
    /// <summary>The archive's root folder; null: nothing is archived.</summary>
    public string? Directory { get; init; }

    /// <summary>This process's name in file names (each writer appends only its own files); null: the host name.</summary>
    public string? Writer { get; init; }

    /// <summary>A file is closed (and its index written) at this size; the next alert of its night opens another.</summary>
    public int PartMib { get; init; } = 256;

    /// <summary>
    /// Group commit: what arrives while a write and fsync are under way shares the next one; this adds a wait to
    /// gather more per fsync (0: none, the commit starts as soon as the previous one is done).
    /// </summary>
    public double FlushMs { get; init; }

    /// <summary>
    /// Avro block codec: null (default), deflate or snappy. Deflate made ZTF alerts 27% smaller (their cutouts are
    /// gzipped already) but cost ~0.5 core at 600 alerts/s on the reference machine (docs/performance.md).
    /// </summary>
    public string Codec { get; init; } = "null";

    /// <summary>A file nothing was written to for this long is closed and indexed (a night that has ended).</summary>
    public double IdleCloseMinutes { get; init; } = 30;

    /// <summary>
    /// Below this much free space on the archive's disk nothing more is written: the silo stays up, degraded, holds
    /// its commits, and resumes when space returns (what an exhausted disk would do, before the last byte is gone).
    /// </summary>
    public double MinFreeMib { get; init; } = 256;

    /// <summary>
    /// Wait for space when the disk refuses writes (a silo: hold and resume). False: fail at once, as a batch tool
    /// should (a replay into a run folder says the disk is full and stops).
    /// </summary>
    public bool WaitForSpace { get; init; } = true;

    /// <summary>The first setting out of range, as the message a configuration error gives; null when all are valid.</summary>
    public string? Problem() =>
        MinFreeMib < 0 ? "archive.min_free_mib must be 0 or more."
        : !(PartMib is >= 1 and <= 4096 && FlushMs is >= 0 and <= 10_000 && IdleCloseMinutes > 0) ? "archive.part_mib is 1..4096, archive.flush_ms 0..10000, archive.idle_close_minutes positive."
        : Codec is not ("deflate" or "snappy" or "null") ? "archive.codec is deflate, snappy or null."
        : Writer is not null && (Writer.Length == 0 || !Writer.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) ? "archive.writer is letters, digits, '-', '_' and '.'."
        : null;

    /// <summary>The directory taken from <paramref name="folder"/> when relative (a configuration file's folder).</summary>
    public ArchiveOptions ResolvePaths(string folder) =>
        this with { Directory = Directory is { } d ? (Path.IsPathRooted(d) ? d : Path.GetFullPath(Path.Combine(folder, d))) : null };
}
