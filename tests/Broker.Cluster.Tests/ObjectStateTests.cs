// An object's history across its alerts, apart from Orleans: detections merged by time and band, light-curve
// features over the whole history, re-deliveries recognised by alert id.
using Broker.Cluster.Objects;

namespace Broker.Cluster.Tests;

public sealed class ObjectStateTests
{
    private static ObjectDetection D(double mjd, string band, float mag) => new(mjd, band, mag, 0.05f, true);

    [Fact]
    public void Two_alerts_histories_merge_without_double_counting()
    {
        var state = new ObjectState();
        var first = state.Visit(new ObjectAlertMessage(1, D(60010, "r", 19.0f), [D(60001, "g", 20.0f), D(60005, "r", 19.8f)]));
        Assert.Equal(1, first.Alerts);
        Assert.Equal(3, first.Detections);
        Assert.False(first.Redelivered);

        // The second packet repeats 60005 r (and the first alert's own detection) and adds one older point.
        var second = state.Visit(new ObjectAlertMessage(2, D(60020, "r", 18.0f), [D(59990, "i", 21.0f), D(60005, "r", 19.8f), D(60010, "r", 19.0f)]));
        Assert.Equal(2, second.Alerts);
        Assert.Equal(5, second.Detections);
        Assert.Equal(59990, second.FirstMjd);
        Assert.Equal(60020, second.LastMjd);
        Assert.Equal(3, second.Bands);
        Assert.Equal(18.0f, second.PeakMag);

        // Over the whole history in r: 19.8 (60005), 19.0 (60010), 18.0 now. Rise rate from the latest earlier r point
        // at least half a day back: (18.0 - 19.0) / 10 days; amplitude 19.8 - 18.0.
        Assert.Equal(-0.1f, second.RiseRate, 4);
        Assert.Equal(1.8f, second.Amplitude, 4);
        Assert.Equal(10f, second.DaysSinceLast, 4);
        Assert.Equal(state.Detections.OrderBy(d => d.Mjd), state.Detections);
    }

    [Fact]
    public void A_published_alert_is_recognised_when_it_comes_again()
    {
        var state = new ObjectState();
        var alert = new ObjectAlertMessage(7, D(60010, "g", 19.0f), []);
        Assert.False(state.Visit(alert).Redelivered);
        Assert.True(state.Published(7));
        Assert.False(state.Published(7));
        var again = state.Visit(alert);
        Assert.True(again.Redelivered);
        Assert.Equal(1, again.Alerts); // the same alert does not count twice
        Assert.Equal(1, again.Detections);
    }

    [Fact]
    public void Memory_per_object_is_capped()
    {
        var state = new ObjectState();
        for (var i = 0; i < ObjectState.MaxDetections + 10; i++)
        {
            state.Visit(new ObjectAlertMessage(i, D(50000 + i, "r", 19f), []));
        }

        Assert.Equal(ObjectState.MaxDetections, state.Detections.Count);
        Assert.Equal(50010, state.Detections[0].Mjd);
        Assert.True(state.SeenAlerts.Count <= ObjectState.MaxAlertIds);
    }
}
