namespace Broker.Avro;

/// <summary>A schema that is not valid Avro, or a writer/reader pair that cannot be resolved.</summary>
public class AvroSchemaException : Exception
{
    public AvroSchemaException(string message)
        : base(message) { }

    public AvroSchemaException(string message, Exception inner)
        : base(message, inner) { }

    public AvroSchemaException() { }
}

/// <summary>
/// Bytes that do not decode under their schema: truncated, a bad length, an impossible union branch, a broken
/// container file. <see cref="Offset"/> is the byte offset in the input where decoding failed and
/// <see cref="FieldPath"/> the field being read (for example <c>candidate.magpsf</c>), when known.
/// </summary>
public sealed class AvroDecodeException : Exception
{
    public AvroDecodeException(string reason, long offset, string? fieldPath = null, Exception? inner = null)
        : base(Format(reason, offset, fieldPath), inner)
    {
        Reason = reason;
        Offset = offset;
        FieldPath = fieldPath;
    }

    public AvroDecodeException() : this("decode error", 0) { }

    public AvroDecodeException(string message) : this(message, 0) { }

    public AvroDecodeException(string message, Exception inner) : this(message, 0, null, inner) { }

    /// <summary>What was wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>Byte offset in the decoded input (a whole message or file) where the error was found.</summary>
    public long Offset { get; }

    /// <summary>Dotted path of the field being decoded, or null at the top level.</summary>
    public string? FieldPath { get; }

    /// <summary>The same error, <paramref name="delta"/> bytes further into an enclosing input.</summary>
    public AvroDecodeException Shift(long delta) => new(Reason, Offset + delta, FieldPath, InnerException);

    /// <summary>The same error inside field <paramref name="segment"/> of an enclosing record.</summary>
    public AvroDecodeException Within(string segment) =>
        new(Reason, Offset, FieldPath is null ? segment : $"{segment}.{FieldPath}", InnerException);

    private static string Format(string reason, long offset, string? path) =>
        path is null ? $"{reason} at byte {offset}" : $"{reason} at byte {offset} (field {path})";
}
