// One image stamp of an alert. A cutout that is absent, or not FITS (ZTF's 2018 commissioning alerts carry
// JPEG), or broken is reported as such on the alert, never as a crash: later stages check Status.
using Broker.Alerts.Fits;

namespace Broker.Alerts.Model;

public enum CutoutStatus
{
    /// <summary>Decoded: <see cref="Cutout.Image"/> holds the pixels.</summary>
    Fits,

    /// <summary>The packet has no cutout (null field, or empty bytes).</summary>
    Absent,

    /// <summary>The bytes are a JPEG image (ZTF 2018), kept but not decoded to pixels.</summary>
    Jpeg,

    /// <summary>The bytes could not be decoded; <see cref="Cutout.Error"/> says why.</summary>
    Invalid,
}

public sealed class Cutout
{
    private Cutout(CutoutStatus status, ReadOnlyMemory<byte> bytes, IReadOnlyList<FitsImage> hdus, string? error, bool gzipped)
    {
        Status = status;
        Bytes = bytes;
        Hdus = hdus;
        Error = error;
        Gzipped = gzipped;
    }

    public static Cutout Absent { get; } = new(CutoutStatus.Absent, ReadOnlyMemory<byte>.Empty, [], null, false);

    public CutoutStatus Status { get; }

    /// <summary>The stamp bytes as they came in the packet (a slice of the message, not a copy).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Every image HDU; for Rubin: image, variance, PSF.</summary>
    public IReadOnlyList<FitsImage> Hdus { get; }

    /// <summary>The stamp itself (the first image HDU), or null when not decoded.</summary>
    public FitsImage? Image => Hdus.Count > 0 ? Hdus[0] : null;

    public string? Error { get; }

    public bool Gzipped { get; }

    /// <summary>Classifies and (when <paramref name="decodePixels"/>) decodes stamp bytes. Never throws for bad bytes.</summary>
    public static Cutout From(ReadOnlyMemory<byte> bytes, bool decodePixels = true)
    {
        var span = bytes.Span;
        if (span.IsEmpty)
        {
            return Absent;
        }

        if (span.Length >= 3 && span[0] == 0xFF && span[1] == 0xD8 && span[2] == 0xFF)
        {
            return new Cutout(CutoutStatus.Jpeg, bytes, [], null, false);
        }

        var gzipped = FitsDecoder.IsGzip(span);
        if (!decodePixels)
        {
            return new Cutout(CutoutStatus.Fits, bytes, [], null, gzipped);
        }

        try
        {
            var hdus = FitsDecoder.Decode(span);
            return hdus.Count > 0
                ? new Cutout(CutoutStatus.Fits, bytes, hdus, null, gzipped)
                : new Cutout(CutoutStatus.Invalid, bytes, [], "FITS file holds no image", gzipped);
        }
        catch (FitsDecodeException e)
        {
            return new Cutout(CutoutStatus.Invalid, bytes, [], e.Message, gzipped);
        }
    }

    /// <summary>Short description for inspection: "63x63 gzip FITS", "jpeg", "absent", "invalid: ...".</summary>
    public string Describe() => Status switch
    {
        CutoutStatus.Fits when Image is { } i => $"{i.Width}x{i.Height}{(Gzipped ? " gzip" : string.Empty)} FITS{(Hdus.Count > 1 ? $" ({Hdus.Count} HDUs)" : string.Empty)}",
        CutoutStatus.Fits => "FITS (not decoded)",
        CutoutStatus.Jpeg => $"JPEG ({Bytes.Length} bytes)",
        CutoutStatus.Absent => "absent",
        _ => $"invalid: {Error}",
    };
}
