// Confluent wire format, as Rubin/LSST publishes alerts: byte 0x00, a 4-byte big-endian schema id, then one
// schemaless Avro datum. The schema comes from a registry (or a local directory) by that id.
using System.Buffers;
using System.Buffers.Binary;

namespace Broker.Avro.Framing;

public static class ConfluentFrame
{
    public const byte MagicByte = 0;
    public const int HeaderSize = 5;

    /// <summary>Whether the bytes look like a Confluent frame (magic byte and room for the id).</summary>
    public static bool HasMagic(ReadOnlySpan<byte> message) => message.Length >= HeaderSize && message[0] == MagicByte;

    /// <summary>The schema id of a frame; throws a typed error when the bytes are not one.</summary>
    public static int ReadSchemaId(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderSize)
        {
            throw new AvroDecodeException($"message of {message.Length} bytes is too short for a Confluent frame header", 0);
        }

        if (message[0] != MagicByte)
        {
            throw new AvroDecodeException($"first byte is 0x{message[0]:x2}, not the Confluent magic byte 0x00", 0);
        }

        return BinaryPrimitives.ReadInt32BigEndian(message[1..HeaderSize]);
    }

    /// <summary>Writes 0x00, the schema id and the payload.</summary>
    public static void Write(IBufferWriter<byte> output, int schemaId, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(HeaderSize);
        span[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], schemaId);
        output.Advance(HeaderSize);
        output.Write(payload);
    }

    public static byte[] Frame(int schemaId, ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + HeaderSize);
        Write(buffer, schemaId, payload);
        return buffer.WrittenSpan.ToArray();
    }
}
