// Writes Avro's binary encoding into an IBufferWriter (a pooled or growing buffer). The counterpart of
// AvroReader: zig-zag varints, little-endian floats, length-prefixed bytes and strings.
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Broker.Avro.Binary;

public readonly struct AvroWriter
{
    private readonly IBufferWriter<byte> _output;

    public AvroWriter(IBufferWriter<byte> output) => _output = output;

    public void WriteLong(long value) => _output.Advance(WriteLong(_output.GetSpan(10), value));

    /// <summary>Avro's long (zig-zag, then 7 bits a byte, low first) into <paramref name="destination"/> (10 bytes suffice); returns the bytes written.</summary>
    public static int WriteLong(Span<byte> destination, long value)
    {
        var n = (ulong)((value << 1) ^ (value >> 63));
        var i = 0;
        while (n >= 0x80)
        {
            destination[i++] = (byte)(n | 0x80);
            n >>= 7;
        }

        destination[i++] = (byte)n;
        return i;
    }

    public void WriteInt(int value) => WriteLong(value);

    public void WriteBoolean(bool value)
    {
        _output.GetSpan(1)[0] = value ? (byte)1 : (byte)0;
        _output.Advance(1);
    }

    public void WriteFloat(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLong(value.Length);
        WriteFixed(value);
    }

    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLong(length);
        var span = _output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _output.Advance(length);
    }

    /// <summary>Raw bytes with no length prefix (fixed values, pre-encoded data, sync markers).</summary>
    public void WriteFixed(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_output.GetSpan(value.Length));
        _output.Advance(value.Length);
    }
}
