// Start-up repair of a writer's files: a file without its index was open when the process died. Its last block
// may be torn (the crash came mid-write, before the fsync that would have acknowledged it): the file is cut at the
// end of its last whole block (sync marker checked), which holds exactly what was acknowledged or more, and then
// indexed from its records. Nothing acknowledged is lost: a record is acknowledged only after its block's fsync.
using Broker.Avro;
using Broker.Avro.Binary;
using Broker.Avro.Container;
using Microsoft.Extensions.Logging;

namespace Broker.Archive;

/// <summary>What a recovery did: files indexed, records in them, bytes of torn blocks cut off.</summary>
public sealed record RecoveryReport(int Files, long Records, long BytesCut)
{
    /// <summary>Temporary files an interrupted write left (an index or snapshot the disk refused, a crash mid-write), removed.</summary>
    public int TemporariesRemoved { get; init; }
}

public static partial class ArchiveRecovery
{
    /// <summary>Repairs and indexes the unindexed files of <paramref name="writer"/> (null: of every writer) under <paramref name="root"/>.</summary>
    public static RecoveryReport Recover(string root, string? writer, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(log);
        var (files, records, cut) = (0, 0L, 0L);
        var temporaries = RemoveTemporaries(root, writer, log);
        foreach (var (survey, night) in ArchiveLayout.Nights(root))
        {
            foreach (var part in ArchiveLayout.Parts(root, survey, night))
            {
                if (File.Exists(ArchiveLayout.IndexOf(part)) || (writer is not null && !ArchiveLayout.IsWriters(part, writer)))
                {
                    continue;
                }

                var removed = CutTornTail(part);
                var rows = ArchiveReader.IndexRows(part);
                ArchiveIndex.Write(ArchiveLayout.IndexOf(part), rows);
                LogRecovered(log, part, rows.Count, removed);
                files++;
                records += rows.Count;
                cut += removed;
            }
        }

        return new RecoveryReport(files, records, cut) { TemporariesRemoved = temporaries };
    }

    // The writer's index temporaries (<writer>-<seq>.parquet.tmp, left when the disk refused the index or the process
    // died writing it; the index is rebuilt above) and snapshot temporaries (<id>.snapshot[.<unique>].<pid>.tmp) of processes
    // that no longer run. Never another live writer's.
    private static int RemoveTemporaries(string root, string? writer, ILogger log)
    {
        var removed = 0;
        foreach (var temp in Directory.EnumerateFiles(root, "*.tmp", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(temp);
            var stale = name.EndsWith(ArchiveLayout.IndexExtension + ".tmp", StringComparison.Ordinal)
                ? writer is null || ArchiveLayout.IsWriters(Path.ChangeExtension(temp[..^".tmp".Length], ArchiveLayout.PartExtension), writer)
                : name.Contains(ArchiveLayout.SnapshotExtension + ".", StringComparison.Ordinal) && !Running(name.Split('.')[^2]);
            if (stale)
            {
                File.Delete(temp);
                LogTemporaryRemoved(log, temp);
                removed++;
            }
        }

        return removed;
    }

    private static bool Running(string pid)
    {
        if (!int.TryParse(pid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return false;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Cuts <paramref name="path"/> after its last whole block; returns the bytes removed.</summary>
    public static long CutTornTail(string path)
    {
        var bytes = File.ReadAllBytes(path);
        ContainerHeader header;
        try
        {
            header = ContainerFile.ReadHeader(bytes);
        }
        catch (Exception e) when (e is AvroDecodeException or AvroSchemaException)
        {
            throw new ArchiveException($"{path}: its header is unreadable ({e.Message}); it holds nothing acknowledged only if the writer died creating it.", e);
        }

        var end = header.Length;
        while (end < bytes.Length && WholeBlockEnd(bytes, end, header.Sync) is { } next)
        {
            end = next;
        }

        if (end == bytes.Length)
        {
            return 0;
        }

        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(end);
            file.Flush(flushToDisk: true);
        }

        return bytes.Length - end;
    }

    // The end of the block starting at `start` when it is whole (count, size, data and the file's sync marker); else null.
    private static int? WholeBlockEnd(byte[] bytes, int start, byte[] sync)
    {
        try
        {
            var r = new AvroReader(bytes.AsSpan(start));
            var count = r.ReadLong();
            var size = r.ReadLong();
            var dataStart = (long)start + r.Position;
            if (count <= 0 || size < 0 || dataStart + size + ContainerFile.SyncSize > bytes.Length)
            {
                return null;
            }

            var syncAt = (int)(dataStart + size);
            return bytes.AsSpan(syncAt, ContainerFile.SyncSize).SequenceEqual(sync) ? syncAt + ContainerFile.SyncSize : null;
        }
        catch (AvroDecodeException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Archive: removed {Path}, a temporary file an interrupted write left")]
    private static partial void LogTemporaryRemoved(ILogger log, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive file {Path} was left open (a crash): indexed {Records} records, cut {Bytes} bytes of a torn block")]
    private static partial void LogRecovered(ILogger log, string path, int records, long bytes);
}
