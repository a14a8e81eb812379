// Writes float32 images as a FITS file (primary HDU, then IMAGE extensions), optionally gzip-compressed as
// ZTF ships its stamps. Only the structural cards and EXTNAME are written. Used by the alert simulator; FitsDecoder reads the result back (a test round-trips).
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Broker.Alerts.Fits;

public static class FitsWriter
{
    private const int Block = 2880;
    private const int CardLength = 80;

    /// <summary>The images as one FITS file: the first as the primary HDU, the others as IMAGE extensions.</summary>
    public static byte[] Write(IReadOnlyList<FitsImage> images, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("A FITS file needs at least one image.", nameof(images));
        }

        using var raw = new MemoryStream();
        for (var i = 0; i < images.Count; i++)
        {
            WriteHdu(raw, images[i], primary: i == 0, extend: images.Count > 1);
        }

        if (!gzip)
        {
            return raw.ToArray();
        }

        using var packed = new MemoryStream();
        using (var z = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(z);
        }

        return packed.ToArray();
    }

    private static void WriteHdu(Stream s, FitsImage image, bool primary, bool extend)
    {
        var cards = new List<string>();
        if (primary)
        {
            cards.Add(Card("SIMPLE", "T"));
        }
        else
        {
            cards.Add(Card("XTENSION", "'IMAGE   '"));
        }

        cards.Add(Card("BITPIX", "-32"));
        cards.Add(Card("NAXIS", "2"));
        cards.Add(Card("NAXIS1", image.Width.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        cards.Add(Card("NAXIS2", image.Height.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (primary && extend)
        {
            cards.Add(Card("EXTEND", "T"));
        }

        if (!primary)
        {
            cards.Add(Card("PCOUNT", "0"));
            cards.Add(Card("GCOUNT", "1"));
        }

        if (image.ExtensionName is { } name)
        {
            cards.Add(Card("EXTNAME", $"'{name.Replace("'", "''", StringComparison.Ordinal),-8}'"));
        }

        cards.Add("END".PadRight(CardLength));
        var header = Encoding.ASCII.GetBytes(string.Concat(cards));
        s.Write(header);
        Pad(s, header.Length, 0x20);

        var data = new byte[image.Pixels.Length * 4];
        for (var i = 0; i < image.Pixels.Length; i++)
        {
            BinaryPrimitives.WriteSingleBigEndian(data.AsSpan(i * 4), image.Pixels[i]);
        }

        s.Write(data);
        Pad(s, data.Length, 0);
    }

    private static string Card(string key, string value)
    {
        var text = $"{key,-8}= {value,20}";
        return text.Length > CardLength ? text[..CardLength] : text.PadRight(CardLength);
    }

    private static void Pad(Stream s, int written, byte fill)
    {
        var remainder = written % Block;
        if (remainder != 0)
        {
            var pad = new byte[Block - remainder];
            Array.Fill(pad, fill);
            s.Write(pad);
        }
    }
}
