using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Broker.Alerts.Fits;
using Broker.Alerts.Model;

namespace Broker.Alerts.Tests;

/// <summary>FITS files built here by the standard's rules, with known pixel values.</summary>
public sealed class FitsDecoderTests
{
    [Fact]
    public void Float32_image_with_nan_decodes_pixel_for_pixel()
    {
        var pixels = Enumerable.Range(0, 6 * 4).Select(i => i == 5 ? float.NaN : i * 0.5f).ToArray();
        var image = FitsDecoder.DecodeFirstImage(Hdu(primary: true, -32, 6, 4, Float32(pixels)));
        Assert.Equal((6, 4), (image.Width, image.Height));
        Assert.True(float.IsNaN(image[5, 0]));
        Assert.Equal(5.5f, image[5, 1]); // pixel 11 of the row-major array
        Assert.Equal(1, image.NaNCount());
        Assert.Equal(pixels.Where(float.IsFinite).Sum(p => (double)p), image.FiniteSum(), 6);
    }

    [Fact]
    public void Float32_with_bscale_and_bzero_is_scaled_after_the_byte_swap()
    {
        float[] pixels = [1.5f, -2f, 0f, float.NaN, 1e10f, -0.25f];
        var image = FitsDecoder.DecodeFirstImage(Hdu(primary: true, -32, 3, 2, Float32(pixels), ("BSCALE", "2.0"), ("BZERO", "1.0")));
        Assert.Equal([4f, -3f, 1f], image.Pixels[..3]);
        Assert.True(float.IsNaN(image.Pixels[3]));
        Assert.Equal([2e10f + 1f, 0.5f], image.Pixels[4..]);
    }

    [Fact]
    public void Int16_with_bscale_bzero_and_blank_is_scaled_and_blank_is_nan()
    {
        short[] raw = [-32768, 0, 100, 32767];
        var data = new byte[raw.Length * 2];
        for (var i = 0; i < raw.Length; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(i * 2), raw[i]);
        }

        var image = FitsDecoder.DecodeFirstImage(Hdu(primary: true, 16, 2, 2, data, ("BSCALE", "0.5"), ("BZERO", "32768"), ("BLANK", "-32768")));
        Assert.True(float.IsNaN(image.Pixels[0]));
        Assert.Equal(32768f, image.Pixels[1]);
        Assert.Equal(32818f, image.Pixels[2]);
        Assert.Equal(49151.5f, image.Pixels[3]);
    }

    [Fact]
    public void Float64_and_int32_extensions_decode_as_separate_hdus_gzipped()
    {
        var doubles = new byte[3 * 8];
        for (var i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteDoubleBigEndian(doubles.AsSpan(i * 8), i + 0.25);
        }

        var ints = new byte[3 * 4];
        BinaryPrimitives.WriteInt32BigEndian(ints.AsSpan(8), -7);
        var file = Hdu(primary: true, 8, 0, 0, []).Concat(Hdu(primary: false, -64, 3, 1, doubles, ("EXTNAME", "'IMAGE   '")))
            .Concat(Hdu(primary: false, 32, 3, 1, ints, ("EXTNAME", "'VARIANCE'"))).ToArray();
        var hdus = FitsDecoder.Decode(Gzip(file));
        Assert.Equal(2, hdus.Count);
        Assert.Equal("IMAGE", hdus[0].ExtensionName);
        Assert.Equal([0.25f, 1.25f, 2.25f], hdus[0].Pixels);
        Assert.Equal("VARIANCE", hdus[1].ExtensionName);
        Assert.Equal(-7f, hdus[1].Pixels[2]);
    }

    [Fact]
    public void A_stamp_with_its_data_cut_short_is_reported_invalid_on_the_cutout()
    {
        var file = Hdu(primary: true, -32, 63, 63, Float32(new float[63 * 63]));
        var cutout = Cutout.From(file.AsMemory(0, 2880 + 1000));
        Assert.Equal(CutoutStatus.Invalid, cutout.Status);
        Assert.Contains("runs past the end of the file", cutout.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BITPIX", "7", "BITPIX 7")]
    [InlineData("NAXIS1", "-3", "NAXIS1 is negative")]
    [InlineData("NAXIS1", "99999999", "more than")]
    public void Impossible_headers_are_typed_errors(string key, string value, string reason)
    {
        var file = Hdu(primary: true, -32, 2, 2, new byte[16], (key, value));
        var e = Assert.Throws<FitsDecodeException>(() => FitsDecoder.Decode(file));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    private static byte[] Float32(float[] pixels)
    {
        var data = new byte[pixels.Length * 4];
        for (var i = 0; i < pixels.Length; i++)
        {
            BinaryPrimitives.WriteSingleBigEndian(data.AsSpan(i * 4), pixels[i]);
        }

        return data;
    }

    /// <summary>One HDU: header cards padded to 2880, data padded to 2880. Later cards override earlier ones.</summary>
    private static byte[] Hdu(bool primary, int bitpix, int width, int height, byte[] data, params (string Key, string Value)[] extra)
    {
        var cards = new List<(string, string)>
        {
            primary ? ("SIMPLE", "T") : ("XTENSION", "'IMAGE   '"),
            ("BITPIX", bitpix.ToString(CultureInfo.InvariantCulture)),
            ("NAXIS", width * height == 0 ? "0" : "2"),
        };
        if (width * height > 0)
        {
            cards.Add(("NAXIS1", width.ToString(CultureInfo.InvariantCulture)));
            cards.Add(("NAXIS2", height.ToString(CultureInfo.InvariantCulture)));
        }

        if (!primary)
        {
            cards.Add(("PCOUNT", "0"));
            cards.Add(("GCOUNT", "1"));
        }

        var overridden = cards.Select(c => extra.FirstOrDefault(e => e.Key == c.Item1) is { Key: not null } e ? (e.Key, e.Value) : c).ToList();
        overridden.AddRange(extra.Where(e => cards.All(c => c.Item1 != e.Key)));
        var header = new StringBuilder();
        foreach (var (k, v) in overridden)
        {
            header.Append($"{k,-8}= {v,20}".PadRight(80));
        }

        header.Append("END".PadRight(80));
        var headerBytes = Encoding.ASCII.GetBytes(header.ToString());
        var result = new byte[Pad(headerBytes.Length) + Pad(data.Length)];
        Array.Fill(result, (byte)' ', 0, Pad(headerBytes.Length));
        headerBytes.CopyTo(result, 0);
        data.CopyTo(result, Pad(headerBytes.Length));
        return result;
    }

    private static int Pad(int n) => (n + 2879) / 2880 * 2880;

    /// <summary>
    /// The gzip trailer's size sizes the output; here it understates it (two gzip members: the trailer read is the
    /// second's, 2,880 bytes of a 14,400-byte file), so the decoder must grow its buffer and lose nothing.
    /// </summary>
    [Fact]
    public void A_gzip_size_hint_smaller_than_the_data_still_decodes_every_pixel()
    {
        var pixels = Enumerable.Range(0, 48 * 48).Select(i => i * 0.25f).ToArray();
        var file = Hdu(primary: true, -32, 48, 48, Float32(pixels));
        var split = file.Length - 2880;
        var twoMembers = Gzip(file[..split]).Concat(Gzip(file[split..])).ToArray();
        Assert.Equal(2880u, BinaryPrimitives.ReadUInt32LittleEndian(twoMembers.AsSpan(twoMembers.Length - 4)));
        var image = FitsDecoder.DecodeFirstImage(twoMembers);
        Assert.Equal(pixels, image.Pixels);

        // And an exact hint (one member), the usual case, gives the same.
        Assert.Equal(pixels, FitsDecoder.DecodeFirstImage(Gzip(file)).Pixels);
    }

    [Fact]
    public void Header_values_are_unquoted_unescaped_and_stripped_of_comments()
    {
        var file = Hdu(primary: true, -32, 8, 8, Float32(new float[64]),
            ("OBJECT", "'M 31 ''core''   '"),
            ("EXPTIME", "30.0 / seconds, a comment"),
            ("FILTER", "'r  ' / band"),
            ("EMPTY", "''"),
            ("MAGZP", "  26.3250"));
        var header = FitsDecoder.DecodeFirstImage(file).Header;
        Assert.Equal("M 31 'core'", header["OBJECT"]);
        Assert.Equal("30.0", header["EXPTIME"]);
        Assert.Equal("r", header["FILTER"]);
        Assert.Equal(string.Empty, header["EMPTY"]);
        Assert.Equal("26.3250", header["MAGZP"]);
        Assert.Equal("8", header["NAXIS1"]);
        Assert.DoesNotContain("END", header.Keys);
    }

    /// <summary>
    /// The gunzipped file lives in a pooled buffer that is reused: a truncated stamp decoded right after a whole one
    /// (most likely the same buffer, the whole one's pixels still in it past the end) must be refused, not read on
    /// into the earlier stamp's bytes; and a trailer that overstates the size leaves nothing extra to read either.
    /// </summary>
    [Fact]
    public void A_truncated_stamp_after_a_whole_one_is_refused_not_completed_from_the_reused_buffer()
    {
        var pixels = Enumerable.Range(0, 48 * 48).Select(i => i * 0.5f).ToArray();
        var file = Hdu(primary: true, -32, 48, 48, Float32(pixels));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(pixels, FitsDecoder.DecodeFirstImage(Gzip(file)).Pixels);
            var truncated = Gzip(file[..(file.Length - 2880)]);
            var e = Assert.Throws<FitsDecodeException>(() => FitsDecoder.Decode(truncated));
            Assert.Contains("runs past the end", e.Message, StringComparison.Ordinal);

            // The same truncated file with its trailer claiming the whole size.
            BinaryPrimitives.WriteUInt32LittleEndian(truncated.AsSpan(truncated.Length - 4), (uint)file.Length);
            Assert.Throws<FitsDecodeException>(() => FitsDecoder.Decode(truncated));
        }
    }

    [Fact]
    public void A_stamp_that_inflates_past_the_cap_is_refused_not_allocated()
    {
        // 64 MiB + 2,880 bytes of zeros after a valid header compress to ~65 KB: a gzip bomb for a stamp decoder.
        var header = Hdu(primary: true, 8, 0, 0, []);
        var bomb = new byte[FitsDecoder.MaxBytes + 2880];
        header.CopyTo(bomb, 0);
        var e = Assert.Throws<FitsDecodeException>(() => FitsDecoder.Decode(Gzip(bomb)));
        Assert.Contains("expands past", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest))
        {
            gz.Write(data);
        }

        return output.ToArray();
    }
}
