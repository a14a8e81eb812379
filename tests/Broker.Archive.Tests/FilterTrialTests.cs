// A filter tried on an archived night: its passes are the alerts the pipeline routed to the same subscription (the
// name in each published annotation), counted per hour of observation; another expression is not taken for the
// recorded one; a night the archive does not hold is refused with the nights it does.
using Broker.Archive.Replay;
using Broker.Filters.Language;

namespace Broker.Archive.Tests;

public sealed class FilterTrialTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("broker-trial-");

    private string Root => Path.Combine(_dir.FullName, "archive");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task A_trial_of_a_recorded_subscription_passes_exactly_what_it_was_sent()
    {
        var annotated = await ArchiveFixture.ScoreIntoAsync(Root, [.. ArchiveFixture.Alerts.Take(120).Select((m, i) => new ReplayItem($"gen-{i}", m))]);
        var nights = ArchiveLayout.Nights(Root);
        var sent = annotated.Count(a => a.Annotation.Filters.Contains("real"));
        Assert.InRange(sent, 1, annotated.Count - 1); // the fixture's "real" (rb >= 0.5) splits the stream

        var results = nights.Select(n => FilterTrial.Run(Root, n.Survey, n.Night, "rb >= 0.5", keep: 3)).ToList();
        Assert.Equal(annotated.Count, results.Sum(r => r.Alerts));
        Assert.Equal(sent, results.Sum(r => r.Passed));
        foreach (var r in results)
        {
            Assert.Equal(r.Alerts, r.Hours.Sum(h => h.Alerts));
            Assert.Equal(r.Passed, r.Hours.Sum(h => h.Passed));
            Assert.Equal(Math.Min(3, r.Passed), r.First.Count);
            Assert.All(r.First, p => Assert.True(p.Annotation.Rb >= 0.5f));
            var twin = Assert.Single(r.Twins);
            Assert.Equal(("real", r.Passed, r.Passed), (twin.Name, twin.SentLive, twin.AlsoPassed));
        }

        // A stricter expression is not the recorded subscription: no twin, fewer passes.
        var strict = nights.Select(n => FilterTrial.Run(Root, n.Survey, n.Night, "rb >= 0.9")).ToList();
        Assert.All(strict, r => Assert.Empty(r.Twins));
        Assert.True(strict.Sum(r => r.Passed) <= sent);
    }

    [Fact]
    public async Task Nights_default_to_the_latest_and_an_unknown_night_or_bad_text_is_refused()
    {
        await ArchiveFixture.ScoreIntoAsync(Root, [.. ArchiveFixture.Alerts.Take(10).Select((m, i) => new ReplayItem($"gen-{i}", m))]);
        var latest = ArchiveLayout.Nights(Root).Max(n => n.Night);
        Assert.All(FilterTrial.Nights(Root, null, null), n => Assert.Equal(latest, n.Night));
        var missing = Assert.Throws<ArchiveException>(() => FilterTrial.Nights(Root, "ztf", "1999-01-01"));
        Assert.Contains(latest!, missing.Message, StringComparison.Ordinal);
        Assert.Throws<ArchiveException>(() => FilterTrial.Nights(Root, "rubin", null));
        Assert.ThrowsAny<FilterException>(() => FilterTrial.Run(Root, "ztf", latest!, "rb >="));
    }

    [Fact]
    public async Task An_archived_alert_is_found_by_id_through_the_indexes_and_in_a_file_still_being_written()
    {
        var annotated = await ArchiveFixture.ScoreIntoAsync(Root, [.. ArchiveFixture.Alerts.Take(20).Select((m, i) => new ReplayItem($"gen-{i}", m))]);
        var wanted = annotated[7];
        var hit = Assert.Single(ArchiveLookup.Find(Root, wanted.Alert.AlertId));
        Assert.Equal(wanted.Annotation.Filters, hit.Recorded.Annotation.Filters);
        Assert.Empty(ArchiveLookup.Find(Root, 42));

        // A second writer's file still open (no index yet): found by reading it.
        var more = ArchiveFixture.Alerts.Skip(20).Take(5).Select(m => new Broker.Alerts.Decoding.AlertDecoder().Decode(m)[0]).ToList();
        await using var open = ArchiveFixture.Archive(Root, writer: "live");
        await open.StoreAsync(more[0], wanted.Annotation, 1, CancellationToken.None);
        var live = Assert.Single(ArchiveLookup.Find(Root, more[0].AlertId));
        Assert.StartsWith("live-", live.Part, StringComparison.Ordinal);
    }
}
