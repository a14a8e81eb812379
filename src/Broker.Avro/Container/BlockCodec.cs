// Container-file block codecs. deflate is raw RFC 1951 (no zlib header); snappy is a raw snappy block followed
// by the big-endian CRC-32 of the uncompressed bytes. Output sizes are capped before decompression finishes.
using System.Buffers.Binary;
using System.IO.Compression;

namespace Broker.Avro.Container;

public static class BlockCodec
{
    public static bool IsSupported(string codec) => codec is "null" or "deflate" or "snappy";

    public static ReadOnlyMemory<byte> Decompress(string codec, ReadOnlySpan<byte> block, int maxBytes, long offset)
    {
        switch (codec)
        {
            case "deflate":
                return Inflate(block, maxBytes, offset);
            case "snappy":
                if (block.Length < 4)
                {
                    throw new AvroDecodeException("snappy block is shorter than its CRC", offset);
                }

                var compressed = block[..^4];
                var length = SnappyLength(compressed, offset);
                if (length > maxBytes)
                {
                    throw new AvroDecodeException($"snappy block would decompress to {length} bytes (limit {maxBytes})", offset);
                }

                byte[] output;
                try
                {
                    output = IronSnappy.Snappy.Decode(compressed);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new AvroDecodeException($"snappy block is corrupt ({e.Message})", offset, null, e);
                }

                var expected = BinaryPrimitives.ReadUInt32BigEndian(block[^4..]);
                if (Crc32.Compute(output) != expected)
                {
                    throw new AvroDecodeException("snappy block CRC-32 does not match its contents", offset + block.Length - 4);
                }

                return output;
            case "null":
                return block.ToArray();
            default:
                throw new AvroDecodeException($"codec '{codec}' is not supported", offset);
        }
    }

    public static byte[] Compress(string codec, ReadOnlySpan<byte> block)
    {
        switch (codec)
        {
            case "null":
                return block.ToArray();
            case "deflate":
                using (var output = new MemoryStream())
                {
                    using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
                    {
                        deflate.Write(block);
                    }

                    return output.ToArray();
                }

            case "snappy":
                var compressed = IronSnappy.Snappy.Encode(block);
                var result = new byte[compressed.Length + 4];
                compressed.CopyTo(result, 0);
                BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(compressed.Length), Crc32.Compute(block));
                return result;
            default:
                throw new ArgumentException($"codec '{codec}' is not supported", nameof(codec));
        }
    }

    // A snappy block starts with its uncompressed length as an unsigned little-endian base-128 varint.
    private static long SnappyLength(ReadOnlySpan<byte> compressed, long offset)
    {
        long length = 0;
        for (var i = 0; i < 5; i++)
        {
            if (i >= compressed.Length)
            {
                break;
            }

            length |= (long)(compressed[i] & 0x7f) << (7 * i);
            if (compressed[i] < 0x80)
            {
                return length;
            }
        }

        throw new AvroDecodeException("snappy block length header is corrupt", offset);
    }

    private static byte[] Inflate(ReadOnlySpan<byte> block, int maxBytes, long offset)
    {
        try
        {
            using var input = new MemoryStream(block.ToArray(), writable: false);
            using var deflate = new DeflateStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[16384];
            int n;
            while ((n = deflate.Read(buffer)) > 0)
            {
                if (output.Length + n > maxBytes)
                {
                    throw new AvroDecodeException($"deflate block decompresses to more than {maxBytes} bytes", offset);
                }

                output.Write(buffer, 0, n);
            }

            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new AvroDecodeException($"deflate block is corrupt ({e.Message})", offset, null, e);
        }
    }
}

/// <summary>CRC-32 (IEEE 802.3), as snappy-coded Avro blocks carry it.</summary>
public static class Crc32
{
    private static readonly uint[] Table = Build();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] Build()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
