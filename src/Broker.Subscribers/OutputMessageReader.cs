// Reads a message of the broker's output topics back into the alert and its annotation, as any subscriber would
// with the published schemas: a light payload (a Confluent frame with schema id 1,000,000 x annotation version, the
// schema in schemas/broker-light-alert-v1.avsc, built in here), a full ZTF payload (a one-record Avro container file
// that carries its schema), or a full Rubin payload (a Confluent frame whose schema the broker wrote to its output
// schema folder, or a registry). What cannot be read is a typed error saying why.
using Broker.Alerts.Decoding;
using Broker.Avro;
using Broker.Avro.Container;
using Broker.Avro.Decoding;
using Broker.Avro.Framing;
using Broker.Avro.Generic;
using Broker.Avro.Schema;
using Broker.Engine.Annotation;

namespace Broker.Subscribers;

/// <summary>A message that is not broker output this reader understands; says which and why.</summary>
public sealed class OutputMessageException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class OutputMessageReader
{
    private readonly ISchemaSource? _schemas;
    private readonly AlertDecoder _alerts;

    /// <param name="schemas">Where full Rubin payloads' schema ids are found (the broker's schema folder or a registry).</param>
    /// <param name="decodeCutouts">Decode full payloads' cutout pixels (needed for PNGs).</param>
    public OutputMessageReader(ISchemaSource? schemas = null, bool decodeCutouts = true)
    {
        _schemas = schemas;
        _alerts = new AlertDecoder(schemas, decodeCutouts);
    }

    /// <exception cref="OutputMessageException">The bytes are not a broker output message, or its schema is unknown here.</exception>
    public ReceivedAlert Read(ReadOnlyMemory<byte> message, string topic = "", int partition = 0, long offset = 0)
    {
        try
        {
            var (record, datum, schemaJson) = Record(message);
            if (record.Schema.FullName == AnnotationSchema.Light.FullName)
            {
                var recorded = AnnotationReader.Read(record[AnnotationSchema.FieldName].AsRecord());
                return new ReceivedAlert
                {
                    Topic = topic,
                    Partition = partition,
                    Offset = offset,
                    Survey = record["survey"].AsString(),
                    AlertId = record["alert_id"].AsLong(),
                    ObjectId = record["object_id"].AsString(),
                    Mjd = record["mjd"].AsDouble(),
                    Ra = record["ra"].AsDouble(),
                    Dec = record["dec"].AsDouble(),
                    Band = record["band"].AsString(),
                    Mag = record["mag"].AsDouble(),
                    MagErr = record["magerr"].AsDouble(),
                    Annotation = recorded.Annotation,
                    Payload = Payload.Light,
                    SchemaJson = schemaJson,
                    Message = message,
                    Datum = datum,
                };
            }

            var annotation = AnnotationReader.FromOutput(record);
            var alert = _alerts.Decode(message)[0];
            return new ReceivedAlert
            {
                Topic = topic,
                Partition = partition,
                Offset = offset,
                Survey = annotation.Survey,
                AlertId = alert.AlertId,
                ObjectId = alert.ObjectId,
                Mjd = alert.Mjd,
                Ra = alert.Ra,
                Dec = alert.Dec,
                Band = alert.Band,
                Mag = alert.Mag,
                MagErr = alert.MagErr,
                Annotation = annotation.Annotation,
                Payload = Payload.Full,
                Alert = alert,
                SchemaJson = schemaJson,
                Message = message,
                Datum = datum,
            };
        }
        catch (Exception e) when (e is AvroDecodeException or AvroSchemaException or AlertDecodeException or InvalidDataException or InvalidCastException or KeyNotFoundException)
        {
            throw new OutputMessageException($"{Where(topic, partition, offset)}not a broker output message ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    private (AvroRecord Record, ReadOnlyMemory<byte> Datum, string SchemaJson) Record(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (ContainerFile.HasMagic(span))
        {
            var contents = ContainerFile.Read(message);
            if (contents.Records.Count != 1)
            {
                throw new InvalidDataException($"a container file of {contents.Records.Count} records; broker output holds one");
            }

            return (contents.Records[0].AsRecord(), contents.Datums[0], contents.Header.Schema.ToString());
        }

        if (!ConfluentFrame.HasMagic(span))
        {
            throw new InvalidDataException("neither an Avro container file nor a Confluent frame");
        }

        var id = ConfluentFrame.ReadSchemaId(span);
        AvroSchema schema;
        if (id == OutputFormat.LightSchemaId)
        {
            schema = AnnotationSchema.Light;
        }
        else if (_schemas is null)
        {
            throw new AvroSchemaException($"schema id {id} is not the light payload's ({OutputFormat.LightSchemaId}); a full Rubin payload needs the broker's schema folder (--schema-dir) or its registry");
        }
        else
        {
            var pending = _schemas.GetAsync(id);
            schema = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        }

        var datum = message[ConfluentFrame.HeaderSize..];
        var value = DecodePlan.For(schema).ReadExact(datum, ConfluentFrame.HeaderSize);
        return (value.AsRecord(), datum, schema.ToString());
    }

    private static string Where(string topic, int partition, long offset) => topic.Length == 0 ? string.Empty : $"{topic} [{partition}] @{offset}: ";
}
