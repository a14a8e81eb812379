using Broker.Avro.Binary;

namespace Broker.Avro.Tests;

public sealed class BinaryEncodingTests
{
    // Examples from the Avro specification ("Binary Encoding").
    [Theory]
    [InlineData(0L, new byte[] { 0x00 })]
    [InlineData(-1L, new byte[] { 0x01 })]
    [InlineData(1L, new byte[] { 0x02 })]
    [InlineData(-2L, new byte[] { 0x03 })]
    [InlineData(2L, new byte[] { 0x04 })]
    [InlineData(-64L, new byte[] { 0x7f })]
    [InlineData(64L, new byte[] { 0x80, 0x01 })]
    [InlineData(long.MaxValue, new byte[] { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })]
    [InlineData(long.MinValue, new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })]
    public void Zigzag_varints_match_the_specification(long value, byte[] encoded)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        new AvroWriter(buffer).WriteLong(value);
        Assert.Equal(encoded, buffer.WrittenSpan.ToArray());
        var reader = new AvroReader(encoded);
        Assert.Equal(value, reader.ReadLong());
        Assert.True(reader.End);
    }

    [Fact]
    public void String_foo_is_length_then_utf8()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        new AvroWriter(buffer).WriteString("foo");
        Assert.Equal(new byte[] { 0x06, 0x66, 0x6f, 0x6f }, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void An_eleven_byte_varint_is_an_error_with_its_offset()
    {
        byte[] data = [0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        var e = Assert.Throws<AvroDecodeException>(() =>
        {
            var r = new AvroReader(data, 100);
            r.ReadLong();
            r.ReadLong();
        });
        Assert.Equal(101, e.Offset);
        Assert.Contains("varint longer than 10 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_length_past_the_end_is_refused_before_allocating()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        new AvroWriter(buffer).WriteLong(int.MaxValue);
        var data = buffer.WrittenSpan.ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<AvroDecodeException>(() => new AvroReader(data).ReadString());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
        Assert.Contains("past the end", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Booleans_other_than_0_and_1_are_errors() =>
        Assert.Throws<AvroDecodeException>(() => new AvroReader([2]).ReadBoolean());

    [Fact]
    public void Floats_and_doubles_are_little_endian()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new AvroWriter(buffer);
        w.WriteFloat(1.5f);
        w.WriteDouble(-2.25);
        var bytes = buffer.WrittenSpan.ToArray();
        Assert.Equal(new byte[] { 0, 0, 0xc0, 0x3f }, bytes[..4]);
        var r = new AvroReader(bytes);
        Assert.Equal(1.5f, r.ReadFloat());
        Assert.Equal(-2.25, r.ReadDouble());
    }
}
