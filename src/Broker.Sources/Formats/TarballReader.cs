// A tar archive of alert messages, plain or gzipped: ZTF's public nightly tarballs (ztf_public_YYYYMMDD.tar.gz,
// one-alert Avro files), or a dump of Kafka message values. Read as a stream (a night is gigabytes; one entry is in
// memory at a time); each entry is classified like a file (AvroMessages), so a tar of schemaless bodies works with
// --schema. Entries that are not files, and notes such as schema.json, are passed over.
using System.Formats.Tar;
using System.IO.Compression;

namespace Broker.Sources.Formats;

internal static class TarballReader
{
    /// <summary>True when the head of a file is gzip's magic or a tar header ("ustar" at byte 257).</summary>
    public static bool Claims(string path, ReadOnlySpan<byte> head) =>
        (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        || (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8))
        || path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase);

    /// <summary>Largest entry read into memory: alert files are kilobytes to a few megabytes.</summary>
    public const int MaxEntryBytes = 64 << 20;

    public static IEnumerable<SourceItem> Read(string path, AvroMessages messages)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        var gzipped = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        using Stream stream = gzipped ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var tar = new TarReader(stream);
        while (true)
        {
            TarEntry? entry;
            string? problem = null;
            try
            {
                entry = tar.GetNextEntry();
            }
            catch (Exception e) when (IsCorrupt(e))
            {
                entry = null;
                problem = $"not a readable tar archive ({e.Message})";
            }

            if (problem is not null)
            {
                yield return SourceItem.Failed(path, SourceFormat.Tarball, problem);
                yield break;
            }

            if (entry is null)
            {
                yield break;
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null
                || !SourcePaths.IsAlertFileName(entry.Name))
            {
                continue;
            }

            if (entry.Length > MaxEntryBytes)
            {
                yield return new SourceItem(path, entry.Name, SourceFormat.Tarball, null, $"entry of {entry.Length} bytes is larger than an alert file can be ({MaxEntryBytes} bytes)");
                continue;
            }

            byte[]? bytes = null;
            try
            {
                using var copy = new MemoryStream((int)entry.Length);
                entry.DataStream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            catch (Exception e) when (IsCorrupt(e))
            {
                problem = $"entry cannot be read ({e.Message}); the archive is corrupt from here on";
            }

            if (bytes is null)
            {
                // A corrupt compressed stream cannot be resynchronised: the rest of the archive is lost with it.
                yield return new SourceItem(path, entry.Name, SourceFormat.Tarball, null, problem);
                yield break;
            }

            yield return messages.Classify(path, entry.Name, bytes, SourceFormat.Tarball);
        }
    }

    // What System.Formats.Tar and GZipStream throw for bytes that are not a tar archive they can read: besides the
    // format errors, an OverflowException for a numeric field beyond its type (GNU's base-256 uid or size; found by
    // fuzzing, tests/fuzz/crashes/source) and argument errors for impossible header values.
    private static bool IsCorrupt(Exception e) =>
        e is InvalidDataException or EndOfStreamException or FormatException or OverflowException or ArgumentException;
}
