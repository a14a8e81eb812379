// Avro object container files (Avro specification, "Object Container Files"): the magic, a metadata map holding
// the writer schema and codec, a 16-byte sync marker, then blocks of records, each followed by the sync marker.
// ZTF sends one such file per Kafka message, with a ~20 KB schema in its header: the schema is parsed once per
// distinct text (SchemaCache), not once per message. Codecs: null, deflate, snappy.
using Broker.Avro.Binary;
using Broker.Avro.Decoding;
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Avro.Container;

/// <summary>The header of a container file.</summary>
public sealed record ContainerHeader(AvroSchema Schema, string Codec, IReadOnlyDictionary<string, byte[]> Metadata, byte[] Sync, int Length);

/// <summary>
/// A decoded container file: its header, every record, and each record's encoded bytes (<see cref="Datums"/>, slices
/// of the file or of its decompressed block): a record's bytes followed by more fields' bytes encode the record with
/// those fields appended, which is how the broker annotates alerts without re-encoding them.
/// </summary>
public sealed record ContainerContents(ContainerHeader Header, IReadOnlyList<AvroValue> Records, IReadOnlyList<ReadOnlyMemory<byte>> Datums);

public static class ContainerFile
{
    public static ReadOnlySpan<byte> Magic => "Obj\u0001"u8;

    public const int SyncSize = 16;

    /// <summary>Largest decompressed block accepted (a guard against compression bombs).</summary>
    public const int MaxBlockBytes = 64 << 20;

    public static bool HasMagic(ReadOnlySpan<byte> data) => data.StartsWith(Magic);

    /// <summary>Reads the header: schema (through <paramref name="schemas"/>), codec, metadata and sync marker.</summary>
    public static ContainerHeader ReadHeader(ReadOnlySpan<byte> data, SchemaCache? schemas = null)
    {
        if (!HasMagic(data))
        {
            throw new AvroDecodeException("not an Avro container file (no 'Obj\\x01' magic)", 0);
        }

        var r = new AvroReader(data[4..], 4);
        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        ReadOnlySpan<byte> schemaBytes = default;
        var hasSchema = false;
        var count = r.ReadBlockCount(2);
        while (count != 0)
        {
            for (long i = 0; i < count; i++)
            {
                var key = r.ReadString();
                var value = r.ReadBytes();
                if (key == "avro.schema")
                {
                    schemaBytes = value;
                    hasSchema = true;
                }
                else
                {
                    metadata[key] = value.ToArray();
                }
            }

            count = r.ReadBlockCount(2);
        }

        if (!hasSchema)
        {
            throw new AvroDecodeException("container file header has no avro.schema", r.Offset);
        }

        var sync = r.ReadFixed(SyncSize).ToArray();
        var codec = metadata.TryGetValue("avro.codec", out var c) ? System.Text.Encoding.UTF8.GetString(c) : "null";
        if (!BlockCodec.IsSupported(codec))
        {
            throw new AvroDecodeException($"container codec '{codec}' is not supported (null, deflate, snappy are)", 4);
        }

        AvroSchema schema;
        try
        {
            schema = (schemas ?? SchemaCache.Shared).GetOrParse(schemaBytes);
        }
        catch (AvroSchemaException e)
        {
            throw new AvroDecodeException($"container file schema is invalid: {e.Message}", 4, null, e);
        }

        return new ContainerHeader(schema, codec, metadata, sync, 4 + r.Position);
    }

    /// <summary>Decodes every record, read as <paramref name="reader"/> (default: the writer schema).</summary>
    public static ContainerContents Read(ReadOnlyMemory<byte> data, AvroSchema? reader = null, SchemaCache? schemas = null)
    {
        var header = ReadHeader(data.Span, schemas);
        var plan = DecodePlan.For(header.Schema, reader);
        var records = new List<AvroValue>(1);
        var datums = new List<ReadOnlyMemory<byte>>(1);
        var offset = header.Length;
        while (offset < data.Length)
        {
            offset = ReadBlock(data, offset, header, plan, records, datums);
        }

        return new ContainerContents(header, records, datums);
    }

    /// <summary>
    /// The records one block at a time (only the current block's records are decoded and held): for files too large to
    /// decode whole, such as a night archive's. <paramref name="data"/> is the whole file, header included.
    /// </summary>
    public static IEnumerable<(AvroValue Record, ReadOnlyMemory<byte> Datum)> ReadRecords(ReadOnlyMemory<byte> data, ContainerHeader header, AvroSchema? reader = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        var plan = DecodePlan.For(header.Schema, reader);
        var records = new List<AvroValue>();
        var datums = new List<ReadOnlyMemory<byte>>();
        var offset = header.Length;
        while (offset < data.Length)
        {
            records.Clear();
            datums.Clear();
            offset = ReadBlock(data, offset, header, plan, records, datums);
            for (var i = 0; i < records.Count; i++)
            {
                yield return (records[i], datums[i]);
            }
        }
    }

    private static int ReadBlock(ReadOnlyMemory<byte> data, int offset, ContainerHeader header, DecodePlan plan, List<AvroValue> records, List<ReadOnlyMemory<byte>> datums)
    {
        var span = data.Span;
        var r = new AvroReader(span[offset..], offset);
        var countAt = r.Offset;
        var count = r.ReadLong();
        var size = r.ReadLong();
        if (count < 0 || size < 0)
        {
            throw new AvroDecodeException($"block header has a negative count ({count}) or size ({size})", countAt);
        }

        if (size > r.Remaining - SyncSize)
        {
            throw new AvroDecodeException(
                $"block of {size} bytes and its sync marker run past the end of the file ({r.Remaining} bytes left)", countAt);
        }

        var dataStart = offset + r.Position;
        var blockEnd = dataStart + (int)size;
        if (!span.Slice(blockEnd, SyncSize).SequenceEqual(header.Sync))
        {
            throw new AvroDecodeException("sync marker after the block does not match the header's", blockEnd);
        }

        var block = data.Slice(dataStart, (int)size);
        long baseOffset = dataStart;
        if (header.Codec != "null")
        {
            // Offsets inside a decompressed block are reported from the block's start in the file.
            block = BlockCodec.Decompress(header.Codec, block.Span, MaxBlockBytes, dataStart);
        }

        var blockSpan = block.Span;
        var reader = new AvroReader(blockSpan, header.Codec == "null" ? baseOffset : 0);
        var source = DecodeSource.Of(block);
        if (count > reader.Remaining + 1L && DecodePlan.MinBytes(header.Schema) > 0)
        {
            throw new AvroDecodeException($"block claims {count} records in {size} bytes", countAt);
        }

        try
        {
            for (long i = 0; i < count; i++)
            {
                var start = reader.Position;
                records.Add(plan.Read(ref reader, source));
                datums.Add(block[start..reader.Position]);
            }
        }
        catch (AvroDecodeException e) when (header.Codec != "null")
        {
            throw new AvroDecodeException($"{e.Reason} (byte {e.Offset} of the decompressed block)", dataStart, e.FieldPath, e);
        }

        if (!reader.End)
        {
            throw new AvroDecodeException($"{reader.Remaining} bytes left over in a block of {count} records", reader.Offset);
        }

        return blockEnd + SyncSize;
    }
}
