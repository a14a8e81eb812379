// An alert's three cutouts prepared for measurement, one way for every consumer (the features and the CNN's
// input): each stamp centred on the candidate (StampGeometry.Center), and the difference of a negative Rubin
// detection flipped so the source is positive (ZTF publishes negative detections' differences already flipped:
// measured on the shared ZTF set, the centre is positive for both isdiffpos values). Owns the pooled pixels.
using Broker.Alerts.Model;
using Broker.Features.Context;

namespace Broker.Features.Stamps;

public sealed class TripletStamps : IDisposable
{
    private TripletStamps(Stamp? science, Stamp? template, Stamp? difference)
    {
        Science = science;
        Template = template;
        Difference = difference;
    }

    public Stamp? Science { get; }

    public Stamp? Template { get; }

    public Stamp? Difference { get; }

    public static TripletStamps Prepare(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var differenceSign = alert.Survey == Survey.Rubin && !alert.IsPositive ? -1 : 1;
        return new TripletStamps(Prepare(alert, alert.Science, 1), Prepare(alert, alert.Template, 1), Prepare(alert, alert.Difference, differenceSign));
    }

    public void Dispose()
    {
        Science?.Dispose();
        Template?.Dispose();
        Difference?.Dispose();
    }

    private static Stamp? Prepare(Alert alert, Cutout cutout, int sign)
    {
        if (cutout.Image is not { } image)
        {
            return null;
        }

        var (cx, cy) = StampGeometry.Center(alert, image.Width, image.Height);
        return Stamp.From(image, sign, cx, cy);
    }
}
