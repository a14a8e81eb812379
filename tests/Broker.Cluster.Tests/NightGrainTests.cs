// Night grains add up what every silo reports: counts, histograms, the top novel list (best first, one entry per
// alert) and the latest dead-letter examples.
using Broker.Alerts.Model;
using Broker.Cluster.Nights;

namespace Broker.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class NightGrainTests(ClusterFixture fixture)
{
    private static NovelAlert Novel(long id, float score) => new(id, "ZTF26obj" + id, 61000.3, "r", 19f, score, "photometry", "mag 40 %", 0.9f, 0.8f, "nov-1");

    [Fact]
    public async Task Deltas_from_two_silos_add_up()
    {
        var key = NightGrain.Key("ztf", new DateOnly(2026, 3, 9));
        var a = new NightDelta { Alerts = 10, Topics = { ["b.annotated"] = 10 }, Filters = { ["novel"] = 2 }, Novel = [Novel(1, 0.7f), Novel(2, 0.6f)] };
        a.Rb[19] = 10;
        var b = new NightDelta { Alerts = 5, Redelivered = 1, Topics = { ["b.annotated"] = 5 }, Novel = [Novel(3, 0.9f), Novel(1, 0.7f)] };
        b.Rb[0] = 5;
        await fixture.Silo(0).GetGrain<INightGrain>(key).Record(a);
        await fixture.Silo(1).GetGrain<INightGrain>(key).Record(b);
        var night = await fixture.Client.GetGrain<INightGrain>(key).Summary();
        Assert.Equal("ztf", night.Survey);
        Assert.Equal("2026-03-09", night.Night);
        Assert.Equal(15, night.Alerts);
        Assert.Equal(1, night.Redelivered);
        Assert.Equal(15, night.Topics["b.annotated"]);
        Assert.Equal(2, night.Filters["novel"]);
        Assert.Equal(10, night.Rb[19]);
        Assert.Equal(5, night.Rb[0]);
        Assert.Equal([3L, 1L, 2L], night.TopNovel.Select(n => n.AlertId));
    }

    [Fact]
    public void The_night_rules_hold_at_their_boundaries()
    {
        // ZTF: 2026-03-10 19:59 UTC is still the night of 03-10 (it began ~03:00 UTC); 20:00 UTC starts 03-11.
        var mjd = (new DateTime(2026, 3, 10, 19, 59, 0, DateTimeKind.Utc) - new DateTime(1858, 11, 17, 0, 0, 0, DateTimeKind.Utc)).TotalDays;
        Assert.Equal(new DateOnly(2026, 3, 10), ObservingNight.Of(Survey.Ztf, mjd));
        Assert.Equal(new DateOnly(2026, 3, 11), ObservingNight.Of(Survey.Ztf, mjd + 2.0 / 1440));
        Assert.Equal(new DateOnly(2026, 3, 10), ObservingNight.Of(Survey.Ztf, mjd - 0.7)); // 03:11 UTC, evening of the 9th in California

        // Rubin dayObs: the date in UTC-12 h; 11:59 UTC belongs to the previous dayObs, 12:00 to that day's.
        var noon = (new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc) - new DateTime(1858, 11, 17, 0, 0, 0, DateTimeKind.Utc)).TotalDays;
        Assert.Equal(new DateOnly(2026, 3, 9), ObservingNight.Of(Survey.Rubin, noon - 1.0 / 1440));
        Assert.Equal(new DateOnly(2026, 3, 10), ObservingNight.Of(Survey.Rubin, noon + 1.0 / 1440));
    }
}
