// Builds output message bytes.
//   - full payload: follows the input's envelope. Container-file input (ZTF) -> a one-record container file with
//     the extended schema in its header; Confluent-framed input (Rubin) -> a Confluent frame with the schema id
//     1,000,000 x AnnotationSchema.Version + the input schema id (1..999,999).
//   - light payload: always a Confluent frame with the schema id 1,000,000 x AnnotationSchema.Version (~1 KB a
//     message; a container file would repeat the ~23 KB schema in every one). The schema is published as
//     schemas/broker-light-alert-v1.avsc and written to the output schema folder as <id>.avsc, so any Avro reader
//     decodes the bytes after the 5-byte frame with it (docs/operations.md).
// Framed outputs' schemas are written as <schema dir>/<id>.avsc, the layout LocalSchemaDirectory (and
// `broker inspect --schema-dir`) reads.
// Headers (container) and extended schemas are built once per input schema and cached.
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Alerts.Model;
using Broker.Avro.Binary;
using Broker.Avro.Container;
using Broker.Avro.Framing;
using Broker.Avro.Schema;

namespace Broker.Engine.Annotation;

/// <summary>Which output payload a topic gets.</summary>
public enum Payload
{
    /// <summary>The whole alert (cutouts, history) with the annotation appended.</summary>
    Full,

    /// <summary>broker.v1.light_alert: identity, photometry and the annotation.</summary>
    Light,
}

/// <summary>An input already carries a `broker` field (the broker's own output fed back in): refused, not re-annotated.</summary>
public sealed class AlreadyAnnotatedException(string schemaName)
    : InvalidOperationException($"The input record {schemaName} already has a '{AnnotationSchema.FieldName}' field: it is broker output, not survey input.");

public sealed class OutputFormat
{
    /// <summary>Schema ids the broker assigns start at this multiple of the annotation version.</summary>
    public const int SchemaIdBlock = 1_000_000;

    private readonly ConcurrentDictionary<RecordSchema, Layout> _full = new(ReferenceEqualityComparer.Instance);
    private readonly string? _schemaDirectory;
    private readonly Lazy<Layout> _light;

    /// <param name="schemaDirectory">Where the schemas of framed outputs are written as &lt;id&gt;.avsc (null: not written).</param>
    public OutputFormat(string? schemaDirectory = null)
    {
        _schemaDirectory = schemaDirectory;
        _light = new Lazy<Layout>(() => CreateLayout(AnnotationSchema.LightJson, LightSchemaId));
    }

    public static int LightSchemaId => SchemaIdBlock * AnnotationSchema.Version;

    /// <summary>The schema id of the full output for an input schema id.</summary>
    public static int FullSchemaId(int inputSchemaId) =>
        inputSchemaId is > 0 and < SchemaIdBlock
            ? (SchemaIdBlock * AnnotationSchema.Version) + inputSchemaId
            : throw new ArgumentOutOfRangeException(nameof(inputSchemaId), inputSchemaId, $"Input schema ids must be 1..{SchemaIdBlock - 1} for the broker to derive its output ids.");

    /// <summary>The extended schema's JSON: the input record with the annotation field appended.</summary>
    public static string ExtendedSchemaJson(RecordSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.IndexOf(AnnotationSchema.FieldName) >= 0)
        {
            throw new AlreadyAnnotatedException(input.FullName);
        }

        var root = JsonNode.Parse(SchemaWriter.ToJson(input))!.AsObject();
        root["fields"]!.AsArray().Add(new JsonObject
        {
            ["name"] = AnnotationSchema.FieldName,
            ["type"] = JsonNode.Parse(AnnotationSchema.AnnotationJson),
            ["doc"] = "Added by the broker (schemas/" + AnnotationSchema.AnnotationFile + ").",
        });
        return root.ToJsonString();
    }

    /// <summary>
    /// One output message as an exactly sized array: the annotation (or the light record) is written to a small
    /// per-thread buffer first, so the alert's datum (tens of KB with its cutouts) is copied once, straight into the
    /// message, instead of through growing buffers.
    /// </summary>
    public byte[] Encode(Payload payload, Alert alert, AlertAnnotation annotation, long publishTimeMs)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var envelope = alert.Envelope ?? throw new ArgumentException("The alert was not decoded from a message (no envelope).", nameof(alert));
        var framed = envelope.SchemaId.HasValue || payload == Payload.Light;
        var layout = payload == Payload.Light ? _light.Value : _full.GetOrAdd(alert.Raw.Schema, (s, id) => CreateLayout(ExtendedSchemaJson(s), id is { } i ? FullSchemaId(i) : null), envelope.SchemaId);
        var tail = _tail ??= new ArrayBufferWriter<byte>(4096);
        tail.ResetWrittenCount();
        if (payload == Payload.Light)
        {
            AnnotationEncoder.WriteLight(tail, alert, annotation, publishTimeMs);
        }
        else
        {
            AnnotationEncoder.Write(tail, alert, annotation, publishTimeMs);
        }

        var datum = payload == Payload.Full ? envelope.Datum.Span : [];
        var recordLength = datum.Length + tail.WrittenCount;
        byte[] message;
        Span<byte> rest;
        if (framed)
        {
            message = GC.AllocateUninitializedArray<byte>(ConfluentFrame.HeaderSize + recordLength);
            message[0] = 0;
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), layout.SchemaId ?? throw new InvalidOperationException("A framed input needs a schema id."));
            rest = message.AsSpan(ConfluentFrame.HeaderSize);
        }
        else
        {
            // A container file with one block of one record: header, record count 1, byte size, record, sync.
            Span<byte> counts = stackalloc byte[20];
            var n = AvroWriter.WriteLong(counts, 1);
            n += AvroWriter.WriteLong(counts[n..], recordLength);
            message = GC.AllocateUninitializedArray<byte>(layout.ContainerHeader.Length + n + recordLength + layout.Sync.Length);
            layout.ContainerHeader.CopyTo(message, 0);
            counts[..n].CopyTo(message.AsSpan(layout.ContainerHeader.Length));
            layout.Sync.CopyTo(message, message.Length - layout.Sync.Length);
            rest = message.AsSpan(layout.ContainerHeader.Length + n, recordLength);
        }

        datum.CopyTo(rest);
        tail.WrittenSpan.CopyTo(rest[datum.Length..]);
        return message;
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _tail;

    private Layout CreateLayout(string schemaJson, int? schemaId)
    {
        // Parse once: a schema the broker cannot read back must fail here, not in a consumer.
        AvroSchema.Parse(schemaJson);
        var sync = SHA256.HashData(Encoding.UTF8.GetBytes(schemaJson))[..ContainerFile.SyncSize];
        var header = new ArrayBufferWriter<byte>(schemaJson.Length + 64);
        var w = new AvroWriter(header);
        w.WriteFixed(ContainerFile.Magic);
        w.WriteLong(2);
        w.WriteString("avro.schema");
        w.WriteBytes(Encoding.UTF8.GetBytes(schemaJson));
        w.WriteString("avro.codec");
        w.WriteBytes("null"u8);
        w.WriteLong(0);
        w.WriteFixed(sync);
        if (schemaId is { } id && _schemaDirectory is not null)
        {
            SaveSchema(_schemaDirectory, id, schemaJson);
        }

        return new Layout(header.WrittenSpan.ToArray(), sync, schemaId);
    }

    private static void SaveSchema(string directory, int id, string json)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".avsc");
        if (File.Exists(path) && File.ReadAllText(path) == json)
        {
            return;
        }

        // Unique per writer, not only per process: two pipelines of one process (silos of `bench e2e --silos`) write the
        // same schema at the same moment, and a shared temporary name let one move the other's file away.
        var temp = path + "." + Guid.NewGuid().ToString("N")[..12] + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, path, overwrite: true);
    }

    private sealed record Layout(byte[] ContainerHeader, byte[] Sync, int? SchemaId);
}
