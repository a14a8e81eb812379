// Decodes FITS stamps (FITS 4.0 standard): 2880-byte blocks, 80-character header cards up to END, big-endian
// data. Handles gzip-wrapped files (ZTF), several image HDUs (Rubin: image, variance, PSF), BITPIX 8/16/32/64/
// -32/-64 with BSCALE/BZERO, and any NAXIS1 x NAXIS2 (ZTF stamps trimmed at CCD edges are 63x55 and such).
using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace Broker.Alerts.Fits;

/// <summary>Bytes that are not a decodable FITS image. <see cref="Offset"/> is where the problem was found.</summary>
public sealed class FitsDecodeException : Exception
{
    public FitsDecodeException(string reason, long offset)
        : base($"{reason} at byte {offset}") => Offset = offset;

    public FitsDecodeException() { }

    public FitsDecodeException(string message) : base(message) { }

    public FitsDecodeException(string message, Exception inner) : base(message, inner) { }

    public long Offset { get; }
}

public static class FitsDecoder
{
    private const int Block = 2880;
    private const int Card = 80;

    /// <summary>Largest image accepted (pixels per HDU); alert stamps are a few thousand.</summary>
    public const int MaxPixels = 4096 * 4096;

    /// <summary>Largest decompressed stamp accepted, against gzip bombs.</summary>
    public const int MaxBytes = 64 << 20;

    public static bool IsGzip(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b;

    public static bool IsFits(ReadOnlySpan<byte> data) => data.StartsWith("SIMPLE  ="u8);

    /// <summary>Every image HDU (the primary first, if it has data), after gunzip when needed.</summary>
    public static IReadOnlyList<FitsImage> Decode(ReadOnlySpan<byte> data)
    {
        if (!IsGzip(data))
        {
            return DecodeHdus(data);
        }

        // The gunzipped file is only read from (pixels and header values are copied out): a pooled buffer, not
        // ~20 KB of garbage per ZTF stamp.
        var buffer = Gunzip(data, out var length);
        try
        {
            return DecodeHdus(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static List<FitsImage> DecodeHdus(ReadOnlySpan<byte> bytes)
    {
        if (!IsFits(bytes))
        {
            throw new FitsDecodeException("not a FITS file (no SIMPLE card)", 0);
        }

        var images = new List<FitsImage>(1);
        var offset = 0;
        var first = true;
        while (offset < bytes.Length)
        {
            if (!first && !bytes[offset..].StartsWith("XTENSION="u8))
            {
                break; // trailing bytes after the last HDU (padding, special records): ignored as the standard allows
            }

            var (header, dataStart) = ReadHeader(bytes, offset);
            var image = ReadData(bytes, header, dataStart, out var dataBytes);
            if (image is not null)
            {
                images.Add(image);
            }

            offset = dataStart + RoundUp(dataBytes);
            first = false;
        }

        return images;
    }

    /// <summary>The first HDU with an image (what a single-image stamp holds).</summary>
    public static FitsImage DecodeFirstImage(ReadOnlySpan<byte> data)
    {
        var images = Decode(data);
        return images.Count > 0 ? images[0] : throw new FitsDecodeException("FITS file holds no image", 0);
    }

    /// <summary>The gunzipped bytes, <paramref name="length"/> of them, in an array of the shared pool (the caller returns it).</summary>
    private static unsafe byte[] Gunzip(ReadOnlySpan<byte> data, out int length)
    {
        // The gzip trailer's ISIZE (uncompressed size mod 2^32) sizes the buffer once; it is only a hint (a hostile
        // file may lie), so the stream is still read to its end, growing the buffer up to the cap.
        var hint = data.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]) : 0u;
        var output = ArrayPool<byte>.Shared.Rent(hint is > 0 and <= MaxBytes ? (int)hint : 4 * 2880);
        var capacity = Math.Min(output.Length, MaxBytes); // a pooled array may be longer than the cap
        length = 0;
        try
        {
            fixed (byte* p = data)
            {
                using var input = new UnmanagedMemoryStream(p, data.Length);
                using var gzip = new GZipStream(input, CompressionMode.Decompress);
                int n;
                while ((n = gzip.Read(output, length, capacity - length)) > 0)
                {
                    length += n;
                    if (length < capacity)
                    {
                        continue;
                    }

                    // Full. With a truthful hint the stream ends here: probe one byte before growing.
                    var next = gzip.ReadByte();
                    if (next < 0)
                    {
                        break;
                    }

                    if (length >= MaxBytes)
                    {
                        throw new FitsDecodeException($"gzip stream expands past {MaxBytes} bytes", 0);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxBytes, output.Length * 2));
                    output.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(output);
                    output = larger;
                    capacity = Math.Min(output.Length, MaxBytes);
                    output[length++] = (byte)next;
                }
            }

            return output;
        }
        catch (InvalidDataException e)
        {
            ArrayPool<byte>.Shared.Return(output);
            throw new FitsDecodeException($"gzip stream is corrupt ({e.Message})", 0);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(output);
            throw;
        }
    }

    private static (Dictionary<string, string> Header, int DataStart) ReadHeader(ReadOnlySpan<byte> bytes, int offset)
    {
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        // Each card is read as characters on the stack: only the keywords and values kept become strings.
        Span<char> card = stackalloc char[Card];
        var pos = offset;
        while (true)
        {
            if (pos + Card > bytes.Length)
            {
                throw new FitsDecodeException("header has no END card before the end of the data", pos);
            }

            Encoding.ASCII.GetChars(bytes.Slice(pos, Card), card);
            pos += Card;
            var keyword = card[..8].TrimEnd();
            if (keyword.SequenceEqual("END"))
            {
                break;
            }

            if (card[8] == '=' && keyword.Length > 0)
            {
                header.TryAdd(new string(keyword), ParseValue(card[10..]));
            }
        }

        return (header, offset + RoundUp(pos - offset));
    }

    private static FitsImage? ReadData(ReadOnlySpan<byte> bytes, Dictionary<string, string> h, int start, out int dataBytes)
    {
        var bitpix = Int(h, "BITPIX", start);
        var naxis = Int(h, "NAXIS", start);
        if (bitpix is not (8 or 16 or 32 or 64 or -32 or -64))
        {
            throw new FitsDecodeException($"BITPIX {bitpix} is not a FITS pixel type", start);
        }

        if (naxis is < 0 or > 999)
        {
            throw new FitsDecodeException($"NAXIS {naxis} is invalid", start);
        }

        long count = naxis == 0 ? 0 : 1;
        for (var i = 1; i <= naxis; i++)
        {
            var n = Int(h, $"NAXIS{i}", start);
            if (n < 0)
            {
                throw new FitsDecodeException($"NAXIS{i} is negative", start);
            }

            count *= n;
            if (count > MaxPixels)
            {
                throw new FitsDecodeException($"image of more than {MaxPixels} pixels", start);
            }
        }

        var bytesPer = Math.Abs(bitpix) / 8;
        var pcount = h.ContainsKey("PCOUNT") ? Int(h, "PCOUNT", start) : 0;
        var gcount = h.ContainsKey("GCOUNT") ? Int(h, "GCOUNT", start) : 1;
        dataBytes = checked((int)(count * bytesPer * gcount) + pcount);
        if (count == 0)
        {
            return null;
        }

        if (start + (count * bytesPer) > bytes.Length)
        {
            // Exact data, without the final block padding some writers drop, must be there.
            throw new FitsDecodeException($"image data ({count * bytesPer} bytes) runs past the end of the file ({bytes.Length - start} bytes left)", start);
        }

        var xtension = h.TryGetValue("XTENSION", out var x) ? x : null;
        if (xtension is not null and not "IMAGE")
        {
            return null; // tables (BINTABLE) are not stamps
        }

        var width = naxis >= 1 ? Int(h, "NAXIS1", start) : 1;
        var height = naxis >= 2 ? (int)(count / width) : 1;
        var scale = Real(h, "BSCALE", 1.0);
        var zero = Real(h, "BZERO", 0.0);
        var blank = h.TryGetValue("BLANK", out var b) && long.TryParse(b, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bl) ? bl : (long?)null;
        var pixels = new float[count];
        var data = bytes.Slice(start, (int)(count * bytesPer));
        var scaled = scale != 1.0 || zero != 0.0;
        switch (bitpix)
        {
            case -32:
                // The stamps' common case: one vectorized byte swap of the whole array into the pixels' bits.
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, int>(data), MemoryMarshal.Cast<float, int>(pixels.AsSpan()));
                if (scaled)
                {
                    for (var i = 0; i < pixels.Length; i++)
                    {
                        pixels[i] = (float)((pixels[i] * scale) + zero);
                    }
                }

                break;
            case -64:
                for (var i = 0; i < pixels.Length; i++)
                {
                    pixels[i] = (float)((BinaryPrimitives.ReadDoubleBigEndian(data[(i * 8)..]) * scale) + zero);
                }

                break;
            default:
                for (var i = 0; i < pixels.Length; i++)
                {
                    long raw = bitpix switch
                    {
                        8 => data[i],
                        16 => BinaryPrimitives.ReadInt16BigEndian(data[(i * 2)..]),
                        32 => BinaryPrimitives.ReadInt32BigEndian(data[(i * 4)..]),
                        _ => BinaryPrimitives.ReadInt64BigEndian(data[(i * 8)..]),
                    };
                    pixels[i] = blank == raw ? float.NaN : (float)((raw * scale) + zero);
                }

                break;
        }

        return new FitsImage(width, height, pixels, h, h.TryGetValue("EXTNAME", out var e) ? e : null);
    }

    private static string ParseValue(ReadOnlySpan<char> text)
    {
        var t = text.TrimStart();
        if (t.StartsWith('\''))
        {
            // A quoted string: '' is an escaped quote; trailing blanks are not significant.
            Span<char> value = stackalloc char[t.Length];
            var n = 0;
            for (var i = 1; i < t.Length; i++)
            {
                if (t[i] == '\'')
                {
                    if (i + 1 < t.Length && t[i + 1] == '\'')
                    {
                        value[n++] = '\'';
                        i++;
                        continue;
                    }

                    break;
                }

                value[n++] = t[i];
            }

            return new string(value[..n].TrimEnd());
        }

        var slash = t.IndexOf('/');
        return new string((slash >= 0 ? t[..slash] : t).Trim());
    }

    private static int Int(Dictionary<string, string> h, string key, int offset) =>
        h.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
            ? i
            : throw new FitsDecodeException($"header card {key} is missing or not an integer", offset);

    private static double Real(Dictionary<string, string> h, string key, double fallback) =>
        h.TryGetValue(key, out var v) && double.TryParse(v.Replace('D', 'E'), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback;

    private static int RoundUp(int n) => (n + Block - 1) / Block * Block;
}
