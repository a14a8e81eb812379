// Writes object container files: header with schema and codec, records in blocks, a sync marker after each.
using System.Buffers;
using System.Security.Cryptography;
using Broker.Avro.Binary;
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Avro.Container;

public static class ContainerFileWriter
{
    /// <summary>A container file of <paramref name="records"/>, <paramref name="recordsPerBlock"/> to a block.</summary>
    public static byte[] Write(AvroSchema schema, IEnumerable<AvroValue> records, string codec = "null", int recordsPerBlock = 100, byte[]? sync = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(records);
        return WriteEncoded(SchemaWriter.ToJson(schema), records.Select(r => (ReadOnlyMemory<byte>)GenericWriter.Encode(schema, r)), codec, recordsPerBlock, sync);
    }

    /// <summary>A container file of already-encoded datums (the schema given as its JSON text).</summary>
    public static byte[] WriteEncoded(string schemaJson, IEnumerable<ReadOnlyMemory<byte>> datums, string codec = "null", int recordsPerBlock = 100, byte[]? sync = null)
    {
        ArgumentNullException.ThrowIfNull(datums);
        if (!BlockCodec.IsSupported(codec))
        {
            throw new ArgumentException($"codec '{codec}' is not supported", nameof(codec));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(recordsPerBlock, 1);
        sync ??= RandomNumberGenerator.GetBytes(ContainerFile.SyncSize);
        var output = new ArrayBufferWriter<byte>();
        var w = new AvroWriter(output);
        w.WriteFixed(ContainerFile.Magic);
        w.WriteLong(2);
        w.WriteString("avro.schema");
        w.WriteBytes(System.Text.Encoding.UTF8.GetBytes(schemaJson));
        w.WriteString("avro.codec");
        w.WriteBytes(System.Text.Encoding.UTF8.GetBytes(codec));
        w.WriteLong(0);
        w.WriteFixed(sync);

        var block = new ArrayBufferWriter<byte>();
        var inBlock = 0;
        foreach (var datum in datums)
        {
            block.Write(datum.Span);
            if (++inBlock == recordsPerBlock)
            {
                Flush(w, block, inBlock, codec, sync);
                inBlock = 0;
            }
        }

        if (inBlock > 0)
        {
            Flush(w, block, inBlock, codec, sync);
        }

        return output.WrittenSpan.ToArray();
    }

    private static void Flush(AvroWriter w, ArrayBufferWriter<byte> block, int count, string codec, byte[] sync)
    {
        var data = BlockCodec.Compress(codec, block.WrittenSpan);
        w.WriteLong(count);
        w.WriteLong(data.Length);
        w.WriteFixed(data);
        w.WriteFixed(sync);
        block.Clear();
    }
}
