// Turns one Kafka message (or one file) into alerts. ZTF messages are Avro container files with the schema
// embedded (parsed once per distinct schema); Rubin messages are Confluent frames whose schema comes from a
// registry or a local schema directory. Rubin container files (archives, samples) work too.
using Broker.Alerts.Model;
using Broker.Alerts.Rubin;
using Broker.Alerts.Ztf;
using Broker.Avro;
using Broker.Avro.Container;
using Broker.Avro.Decoding;
using Broker.Avro.Framing;
using Broker.Avro.Generic;

namespace Broker.Alerts.Decoding;

public sealed class AlertDecoder
{
    private readonly ISchemaSource? _schemas;
    private readonly SchemaCache _cache;

    /// <param name="schemas">Where Confluent schema ids are looked up; null means framed messages cannot be decoded.</param>
    /// <param name="decodeCutouts">Decode cutout pixels (true), or only classify the stamp bytes (false).</param>
    public AlertDecoder(ISchemaSource? schemas = null, bool decodeCutouts = true, SchemaCache? cache = null)
    {
        _schemas = schemas;
        DecodeCutouts = decodeCutouts;
        _cache = cache ?? SchemaCache.Shared;
    }

    public bool DecodeCutouts { get; }

    /// <summary>Every alert in the message (a ZTF container file may hold several).</summary>
    public IReadOnlyList<Alert> Decode(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (ContainerFile.HasMagic(span))
        {
            ContainerContents contents;
            try
            {
                contents = ContainerFile.Read(message, null, _cache);
            }
            catch (AvroDecodeException e)
            {
                throw new AlertDecodeException(DecodeStage.Avro, e.Message, e.Offset, e);
            }
            catch (AvroSchemaException e)
            {
                throw new AlertDecodeException(DecodeStage.Schema, e.Message, null, e);
            }

            return [.. contents.Records.Select((r, i) => Adapt(r, new AlertEnvelope(contents.Datums[i], null)))];
        }

        if (ConfluentFrame.HasMagic(span))
        {
            var id = ConfluentFrame.ReadSchemaId(span);
            if (_schemas is null)
            {
                throw new AlertDecodeException(DecodeStage.Schema,
                    $"Confluent-framed message with schema id {id}, but no schema registry or schema directory is configured");
            }

            Avro.Schema.AvroSchema schema;
            try
            {
                var pending = _schemas.GetAsync(id);
                schema = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            }
            catch (AvroSchemaException e)
            {
                throw new AlertDecodeException(DecodeStage.Schema, e.Message, 1, e);
            }

            try
            {
                var value = DecodePlan.For(schema).ReadExact(message[ConfluentFrame.HeaderSize..], ConfluentFrame.HeaderSize);
                return [Adapt(value, new AlertEnvelope(message[ConfluentFrame.HeaderSize..], id))];
            }
            catch (AvroDecodeException e)
            {
                throw new AlertDecodeException(DecodeStage.Avro, e.Message, e.Offset, e);
            }
        }

        throw new AlertDecodeException(DecodeStage.Envelope,
            span.IsEmpty ? "empty message" : $"neither an Avro container file nor a Confluent frame (first byte 0x{span[0]:x2})", 0);
    }

    private Alert Adapt(AvroValue value, AlertEnvelope envelope)
    {
        if (value.Kind != Avro.Schema.AvroType.Record)
        {
            throw new AlertDecodeException(DecodeStage.Alert, $"the datum is a {value.Kind}, not an alert record");
        }

        var record = value.AsRecord();
        try
        {
            if (ZtfAdapter.Accepts(record))
            {
                return ZtfAdapter.Build(record, DecodeCutouts, envelope);
            }

            if (RubinAdapter.Accepts(record))
            {
                return RubinAdapter.Build(record, DecodeCutouts, envelope);
            }
        }
        catch (Exception e) when (e is InvalidCastException or KeyNotFoundException)
        {
            throw new AlertDecodeException(DecodeStage.Alert, $"{record.Schema.FullName} lacks what an alert needs: {e.Message}", null, e);
        }

        throw new AlertDecodeException(DecodeStage.Alert, $"record {record.Schema.FullName} is neither a ZTF alert (candidate) nor a Rubin alert (diaSource)");
    }
}
