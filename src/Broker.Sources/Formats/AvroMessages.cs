// One alert's bytes as they lie in a file or a tar entry, classified: an Avro container file and a Confluent frame
// pass through (the AlertDecoder reads both); a schemaless Avro message body (a Kafka dump's message values, an
// archive of them) is read with its writer schema (--schema FILE, or schema.json beside the file) and handed on
// as a one-record container file with that schema. With a schema, a body and a Confluent frame are told apart by
// decoding: the one whose bytes the schema reads exactly, to the last byte, is the one it is.
using System.Collections.Concurrent;
using Broker.Avro;
using Broker.Avro.Container;
using Broker.Avro.Decoding;
using Broker.Avro.Framing;
using Broker.Avro.Schema;

namespace Broker.Sources.Formats;

internal sealed class AvroMessages(string? schemaFile)
{
    private readonly ConcurrentDictionary<string, WriterSchema?> _schemas = new(StringComparer.Ordinal);

    private sealed record WriterSchema(string File, string Json, DecodePlan Plan);

    /// <summary>The item for <paramref name="bytes"/>, found at <paramref name="path"/> under <paramref name="name"/>.</summary>
    public SourceItem Classify(string path, string name, byte[] bytes, SourceFormat container = SourceFormat.AvroContainer)
    {
        if (ContainerFile.HasMagic(bytes))
        {
            return new SourceItem(path, name, container, bytes);
        }

        WriterSchema? schema;
        try
        {
            schema = SchemaFor(path);
        }
        catch (Exception e) when (e is AvroSchemaException or IOException or UnauthorizedAccessException)
        {
            return new SourceItem(path, name, SourceFormat.SchemalessAvro, null, e.Message);
        }

        if (schema is null)
        {
            return ConfluentFrame.HasMagic(bytes)
                ? new SourceItem(path, name, SourceFormat.ConfluentFrame, bytes)
                : new SourceItem(path, name, SourceFormat.Unknown, null,
                    bytes.Length == 0 ? "an empty file"
                    : $"not an Avro container file, a Confluent frame, Parquet or a tar archive (first byte 0x{bytes[0]:x2}); a schemaless Avro message body needs its writer schema (--schema FILE, or schema.json beside it)");
        }

        var body = Reads(schema.Plan, bytes, 0) ? 0
            : ConfluentFrame.HasMagic(bytes) && Reads(schema.Plan, bytes, ConfluentFrame.HeaderSize) ? ConfluentFrame.HeaderSize
            : -1;
        if (body < 0)
        {
            return new SourceItem(path, name, SourceFormat.SchemalessAvro, null, $"the schema {schema.File} does not read these bytes (neither a message body nor a Confluent frame written with it)");
        }

        var sync = new byte[ContainerFile.SyncSize];
        var message = ContainerFileWriter.WriteEncoded(schema.Json, [bytes.AsMemory(body)], "null", 1, sync);
        return new SourceItem(path, name, body == 0 ? SourceFormat.SchemalessAvro : SourceFormat.ConfluentFrame, message) { Detail = $"{(body == 0 ? "schemaless Avro bodies" : "Confluent frames")} read with {Path.GetFileName(schema.File)}" };
    }

    private static bool Reads(DecodePlan plan, byte[] bytes, int offset)
    {
        try
        {
            plan.ReadExact(bytes.AsMemory(offset), offset);
            return true;
        }
        catch (AvroDecodeException)
        {
            return false;
        }
    }

    // The schema given with --schema, else schema.json in the file's folder, each parsed once.
    private WriterSchema? SchemaFor(string path)
    {
        var file = schemaFile ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", "schema.json");
        return _schemas.GetOrAdd(file, Load);
    }

    private static WriterSchema? Load(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        var json = File.ReadAllText(file);
        AvroSchema schema;
        try
        {
            schema = AvroSchema.Parse(json);
        }
        catch (AvroSchemaException e)
        {
            throw new AvroSchemaException($"{file}: not an Avro schema ({e.Message})", e);
        }

        return new WriterSchema(file, json, DecodePlan.For(schema));
    }
}
