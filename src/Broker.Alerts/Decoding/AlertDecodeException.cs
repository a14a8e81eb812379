namespace Broker.Alerts.Decoding;

/// <summary>Where in decoding an alert failed (it becomes the dead-letter reason's stage).</summary>
public enum DecodeStage
{
    /// <summary>Neither a container file nor a Confluent frame.</summary>
    Envelope,

    /// <summary>The schema is missing, unknown or invalid.</summary>
    Schema,

    /// <summary>The Avro bytes do not decode under the schema.</summary>
    Avro,

    /// <summary>The record decoded but is not a ZTF or Rubin alert the adapters understand.</summary>
    Alert,
}

/// <summary>A message that is not a decodable alert. The message names the stage and, for byte errors, the offset.</summary>
public sealed class AlertDecodeException : Exception
{
    public AlertDecodeException(DecodeStage stage, string message, long? offset = null, Exception? inner = null)
        : base($"{stage}: {message}", inner)
    {
        Stage = stage;
        Offset = offset;
    }

    public AlertDecodeException() : this(DecodeStage.Envelope, "decode error") { }

    public AlertDecodeException(string message) : this(DecodeStage.Envelope, message) { }

    public AlertDecodeException(string message, Exception inner) : this(DecodeStage.Envelope, message, null, inner) { }

    public DecodeStage Stage { get; }

    /// <summary>Byte offset in the message where decoding failed, when the failure is in the bytes.</summary>
    public long? Offset { get; }
}
