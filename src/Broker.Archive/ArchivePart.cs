// One archive file being written: an Avro object container file (one schema: the survey record with the `broker`
// annotation appended, i.e. exactly the published record) to which each group commit appends one block and fsyncs.
// The header's metadata also names the input schema (the record without `broker`) and its registry id, the survey,
// the night and the writer, so a replay rebuilds the original alert message from the file alone. The index rows of
// the records written so far are kept here and written as Parquet when the file closes.
using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Broker.Avro.Binary;
using Broker.Avro.Container;

namespace Broker.Archive;

internal sealed class ArchivePart : IDisposable
{
    public const string InputSchemaKey = "broker.input_schema";
    public const string InputSchemaIdKey = "broker.input_schema_id";
    public const string FiltersKey = "broker.filters";

    private FileStream _file;
    private readonly string _codec;
    private readonly byte[] _sync;
    private readonly List<(ReadOnlyMemory<byte> Datum, byte[] Annotation)> _pending = [];
    private readonly List<IndexRow> _rows = [];
    private long _pendingBytes;

    private ArchivePart(string path, FileStream file, string codec, byte[] sync, string night)
    {
        Path = path;
        _file = file;
        _codec = codec;
        _sync = sync;
        Night = night;
    }

    public string Path { get; }

    public string Night { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    public int Records => _rows.Count;

    public long Length => _file.Length;

    public DateTime LastWrite { get; private set; } = DateTime.UtcNow;

    /// <summary>Creates the file and writes its header (not yet synced: the first commit syncs it with its block).</summary>
    public static ArchivePart Create(string path, string schemaJson, string inputSchemaJson, int? inputSchemaId, string codec, string survey, string night, string writer, string filtersJson)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
        try
        {
            var sync = RandomNumberGenerator.GetBytes(ContainerFile.SyncSize);
            var metadata = new List<(string, string)>
            {
                ("avro.schema", schemaJson), ("avro.codec", codec), (InputSchemaKey, inputSchemaJson),
                ("broker.survey", survey), ("broker.night", night), ("broker.writer", writer), (FiltersKey, filtersJson),
            };
            if (inputSchemaId is { } id)
            {
                metadata.Add((InputSchemaIdKey, id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            var header = new ArrayBufferWriter<byte>(schemaJson.Length + inputSchemaJson.Length + 256);
            var w = new AvroWriter(header);
            w.WriteFixed(ContainerFile.Magic);
            w.WriteLong(metadata.Count);
            foreach (var (key, value) in metadata)
            {
                w.WriteString(key);
                w.WriteBytes(Encoding.UTF8.GetBytes(value));
            }

            w.WriteLong(0);
            w.WriteFixed(sync);
            file.Write(header.WrittenSpan);
            return new ArchivePart(path, file, codec, sync, night);
        }
        catch
        {
            try
            {
                file.Dispose();
            }
            finally
            {
                File.Delete(path); // a header the disk refused: nothing of it is kept
            }

            throw;
        }
    }

    /// <summary>
    /// Adds one record to the block the next commit writes: the alert's own bytes (referenced, not copied: the message
    /// stays alive until then) followed by its annotation's, which together are the published record.
    /// </summary>
    public void Add(IndexRow row, ReadOnlyMemory<byte> datum, byte[] annotation)
    {
        _pending.Add((datum, annotation));
        _pendingBytes += datum.Length + annotation.Length;
        _rows.Add(row with { Part = Name, Record = _rows.Count });
    }

    /// <summary>
    /// Writes the pending records as one block. Uncompressed (the default codec) the records go straight from the
    /// messages to the file: the block's size is known before its bytes, so nothing is copied into a block buffer.
    /// </summary>
    public void WriteBlock()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        Span<byte> head = stackalloc byte[20];
        if (_codec == "null")
        {
            _file.Write(head[..BlockHead(head, _pending.Count, _pendingBytes)]);
            foreach (var (datum, annotation) in _pending)
            {
                _file.Write(datum.Span);
                _file.Write(annotation);
            }
        }
        else
        {
            var block = ArrayPool<byte>.Shared.Rent(checked((int)_pendingBytes));
            try
            {
                var at = 0;
                foreach (var (datum, annotation) in _pending)
                {
                    datum.Span.CopyTo(block.AsSpan(at));
                    at += datum.Length;
                    annotation.CopyTo(block.AsSpan(at));
                    at += annotation.Length;
                }

                var data = BlockCodec.Compress(_codec, block.AsSpan(0, at));
                _file.Write(head[..BlockHead(head, _pending.Count, data.Length)]);
                _file.Write(data);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block);
            }
        }

        _file.Write(_sync);
        _pending.Clear();
        _pendingBytes = 0;
        LastWrite = DateTime.UtcNow;
    }

    // A block starts with its record count and byte size, as Avro longs (zigzag varints).
    private static int BlockHead(Span<byte> head, long count, long bytes)
    {
        var at = Varint(head, 0, count);
        return Varint(head, at, bytes);
    }

    private static int Varint(Span<byte> into, int at, long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        while (v >= 0x80)
        {
            into[at++] = (byte)(v | 0x80);
            v >>= 7;
        }

        into[at++] = (byte)v;
        return at;
    }

    /// <summary>Flushes to the operating system and the disk (fsync): after this the block survives a crash.</summary>
    public void Sync() => _file.Flush(flushToDisk: true);

    /// <summary>Drops a file no commit completed in (created by the commit that failed): closed and deleted.</summary>
    public void Discard()
    {
        try
        {
            _file.Dispose();
        }
#pragma warning disable CA1031 // a refused buffer fails to flush again; the file goes anyway
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        File.Delete(Path);
    }

    /// <summary>Where a commit starts: the file's length and the records it holds (what <see cref="RollBack"/> returns to).</summary>
    public (long Length, int Rows) Mark() => (_file.Length, _rows.Count);

    /// <summary>
    /// Undoes a commit that failed (a full disk): its pending records are dropped and the file is cut back to
    /// <paramref name="mark"/>, so a retry writes them again with nothing torn in between. False when the file cannot
    /// be reopened: it is then left as a crash would leave it (repaired at the next start) and must not be used.
    /// </summary>
    public bool RollBack((long Length, int Rows) mark)
    {
        _pending.Clear();
        _pendingBytes = 0;
        _rows.RemoveRange(mark.Rows, _rows.Count - mark.Rows);
        try
        {
            _file.Dispose(); // its buffer may hold bytes the disk refused: they are dropped with it
        }
#pragma warning disable CA1031 // the flush of a refused buffer fails again; the handle is closed all the same
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        try
        {
            _file = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.Read, 1 << 16);
            _file.SetLength(mark.Length);
            _file.Seek(0, SeekOrigin.End);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Closes the file and writes its index beside it.</summary>
    public void Close()
    {
        WriteBlock();
        Sync();
        _file.Dispose();
        ArchiveIndex.Write(ArchiveLayout.IndexOf(Path), _rows);
    }

    public void Dispose() => _file.Dispose();
}
