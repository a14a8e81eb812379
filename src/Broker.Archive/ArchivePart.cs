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

    private readonly FileStream _file;
    private readonly string _codec;
    private readonly byte[] _sync;
    private readonly ArrayBufferWriter<byte> _block = new(1 << 20);
    private readonly List<IndexRow> _rows = [];
    private int _inBlock;

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
    public static ArchivePart Create(string path, string schemaJson, string inputSchemaJson, int? inputSchemaId, string codec, string survey, string night, string writer)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
        try
        {
            var sync = RandomNumberGenerator.GetBytes(ContainerFile.SyncSize);
            var metadata = new List<(string, string)>
            {
                ("avro.schema", schemaJson), ("avro.codec", codec), (InputSchemaKey, inputSchemaJson),
                ("broker.survey", survey), ("broker.night", night), ("broker.writer", writer),
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
            file.Dispose();
            throw;
        }
    }

    /// <summary>Adds one encoded record to the block the next commit writes.</summary>
    public void Add(IndexRow row, Action<IBufferWriter<byte>> writeRecord)
    {
        writeRecord(_block);
        _inBlock++;
        _rows.Add(row with { Part = Name, Record = _rows.Count });
    }

    public bool HasPending => _inBlock > 0;

    /// <summary>Writes the pending records as one block (compressed by the file's codec).</summary>
    public void WriteBlock()
    {
        if (_inBlock == 0)
        {
            return;
        }

        var data = BlockCodec.Compress(_codec, _block.WrittenSpan);
        var head = new ArrayBufferWriter<byte>(24);
        var w = new AvroWriter(head);
        w.WriteLong(_inBlock);
        w.WriteLong(data.Length);
        _file.Write(head.WrittenSpan);
        _file.Write(data);
        _file.Write(_sync);
        _block.Clear();
        _inBlock = 0;
        LastWrite = DateTime.UtcNow;
    }

    /// <summary>Flushes to the operating system and the disk (fsync): after this the block survives a crash.</summary>
    public void Sync() => _file.Flush(flushToDisk: true);

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
