// Turns a generated triplet into an alert record of its scene's survey and schema version: the scene's record
// with new ids, the injected photometry, and the new cutouts as FITS (gzip-compressed for ZTF, multi-HDU for
// Rubin as the scene had). The survey's own real/bogus scores are set to null so nothing mistakes them for truth.
// Other pipeline fields (elong, nneg, ...) keep the scene's values: they describe the scene's original candidate.
using Broker.Alerts.Fits;
using Broker.Alerts.Model;
using Broker.Avro.Generic;
using Broker.Features.Context;
using Broker.Simulation.Generation;

namespace Broker.Simulation.Writing;

public static class AlertComposer
{
    /// <summary>Generated alert ids start here, far above any survey's ids (ZTF candids are ~3e18 in 2025).</summary>
    public const long IdBase = 8_000_000_000_000_000_000;

    public static long AlertId(int seed, int index) => IdBase + ((long)seed * 1_000_000_000L) + index;

    /// <summary>A ZTF-style object id for simulated alerts: year 99 marks them as simulated.</summary>
    public static string ZtfObjectId(long index)
    {
        Span<char> letters = stackalloc char[7];
        for (var i = 6; i >= 0; i--)
        {
            letters[i] = (char)('a' + (int)(index % 26));
            index /= 26;
        }

        return "ZTF99" + new string(letters);
    }

    public static AvroRecord Compose(GeneratedTriplet triplet, long alertId, long index)
    {
        ArgumentNullException.ThrowIfNull(triplet);
        var scene = triplet.Scene;
        var editor = new RecordEditor(scene.Source.Raw);
        var science = Stamp(triplet, triplet.Science, scene.ScienceExtras);
        var template = Stamp(triplet, triplet.Template, scene.TemplateExtras);
        var difference = Stamp(triplet, triplet.Difference, scene.DifferenceExtras);
        return scene.Source.Survey == Survey.Ztf
            ? Ztf(editor, triplet, alertId, index, science, template, difference)
            : Rubin(editor, triplet, alertId, science, template, difference);
    }

    private static AvroRecord Ztf(RecordEditor alert, GeneratedTriplet t, long alertId, long index, byte[] sci, byte[] tmpl, byte[] diff)
    {
        var candidate = new RecordEditor(alert.Record("candidate") ?? throw new InvalidOperationException("ZTF scene without candidate"));
        candidate.SetLong("candid", alertId)
            .SetNumber("magpsf", t.Scene.ZeroPoint - (2.5 * Math.Log10(Math.Max(t.Flux, 1e-30))))
            .SetNumber("sigmapsf", 1.0857 / t.TargetSnr)
            .SetString("isdiffpos", "t")
            .SetNumber("fwhm", t.Scene.Seeing)
            .SetNull("rb")
            .SetNull("drb");
        if (t.Width < StampGeometry.ZtfStampSize)
        {
            candidate.SetNumber("xpos", t.TrimLeft > 0 ? t.CenterX + 1 : StampGeometry.ZtfChipWidth - (t.Width - 1 - t.CenterX));
        }

        if (t.Height < StampGeometry.ZtfStampSize)
        {
            candidate.SetNumber("ypos", t.TrimBottom > 0 ? t.CenterY + 1 : StampGeometry.ZtfChipHeight - (t.Height - 1 - t.CenterY));
        }

        alert.SetString("objectId", ZtfObjectId(index))
            .SetLong("candid", alertId)
            .Set("candidate", AvroValue.FromRecord(candidate.Build()));
        SetZtfCutout(alert, "cutoutScience", sci);
        SetZtfCutout(alert, "cutoutTemplate", tmpl);
        SetZtfCutout(alert, "cutoutDifference", diff);
        return alert.Build();
    }

    private static void SetZtfCutout(RecordEditor alert, string field, byte[] fits)
    {
        if (alert.Record(field) is not { } cutout)
        {
            throw new InvalidOperationException($"ZTF scene without {field}");
        }

        var editor = new RecordEditor(cutout).Set("stampData", AvroValue.FromBytes(fits));
        alert.Set(field, AvroValue.FromRecord(editor.Build()));
    }

    private static AvroRecord Rubin(RecordEditor alert, GeneratedTriplet t, long alertId, byte[] sci, byte[] tmpl, byte[] diff)
    {
        var source = new RecordEditor(alert.Record("diaSource") ?? throw new InvalidOperationException("Rubin scene without diaSource"));
        source.SetLong("diaSourceId", alertId)
            .SetNumber("psfFlux", t.Flux)
            .SetNumber("psfFluxErr", t.Flux / t.TargetSnr)
            .SetNumber("snr", t.TargetSnr)
            .SetNumber("isNegative", 0)
            .SetNull("reliability");
        alert.SetLong("alertId", alertId)
            .SetLong("diaSourceId", alertId)
            .Set("diaSource", AvroValue.FromRecord(source.Build()))
            .Set("cutoutScience", AvroValue.FromBytes(sci))
            .Set("cutoutTemplate", AvroValue.FromBytes(tmpl))
            .Set("cutoutDifference", AvroValue.FromBytes(diff));
        return alert.Build();
    }

    private static byte[] Stamp(GeneratedTriplet t, float[] pixels, IReadOnlyList<FitsImage> extras)
    {
        var none = new Dictionary<string, string>();
        var images = new List<FitsImage> { new(t.Width, t.Height, pixels, none) };
        if (t.Width == t.Scene.Width && t.Height == t.Scene.Height)
        {
            images.AddRange(extras.Select(e => new FitsImage(e.Width, e.Height, e.Pixels, none, e.ExtensionName)));
        }

        return FitsWriter.Write(images, t.Scene.Gzipped);
    }
}
