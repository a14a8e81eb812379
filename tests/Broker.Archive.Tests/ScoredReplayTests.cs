// The replay's contract while it reads one thread ahead and decodes and scores a window on the thread pool: alerts
// come out in input order, the same input gives the same scores and novelty (learning happens between windows,
// never by timing), a message that does not decode is a dead letter in its place, and a source that fails half way
// fails the replay after the alerts before it.
using Broker.Archive.Replay;

namespace Broker.Archive.Tests;

public sealed class ScoredReplayTests
{
    private static List<ReplayItem> Items(int count) => [.. ArchiveFixture.Alerts.Take(count).Select((m, i) => new ReplayItem($"gen-{i}", m))];

    private static async Task<List<ReplayedAlert>> ReplayAsync(IEnumerable<ReplayItem> items, ReplayCounts? counts = null, int window = 32)
    {
        var seen = new List<ReplayedAlert>();
        await using var engine = ArchiveFixture.Engine();
        await ScoredReplay.RunAsync(engine, items, null, new ScoredReplayOptions { Window = window }, seen.Add, counts, CancellationToken.None);
        return seen;
    }

    // What the models said about one alert (the ingest time is the replay's clock, so it is left out).
    private static string Scores(ReplayedAlert a) =>
        $"{a.Name} {a.Annotation.Rb} {a.Annotation.Cnn} {a.Annotation.RbCombined} {a.Annotation.Novelty?.Score} {a.Annotation.Novelty?.SnapshotId} "
        + $"{string.Join(',', a.Annotation.Filters)} {string.Join(',', a.Annotation.Features.Select(BitConverter.SingleToInt32Bits))}";

    [Fact]
    public async Task Alerts_come_out_in_input_order_and_the_same_input_gives_the_same_scores_and_novelty()
    {
        var first = await ReplayAsync(Items(300));
        var second = await ReplayAsync(Items(300));

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"gen-{i}"), first.Select(a => a.Name));
        Assert.Contains(first, a => a.Annotation.Novelty is not null); // the forests grew during the replay
        Assert.Equal(first.Select(Scores), second.Select(Scores));
    }

    [Fact]
    public async Task A_message_that_does_not_decode_is_a_dead_letter_in_its_place()
    {
        var items = Items(40);
        items.Insert(5, new ReplayItem("broken", [0x4f, 0x62, 0x6a, 0x01, 0xff]));
        var counts = new ReplayCounts();

        var seen = await ReplayAsync(items, counts, window: 8);

        Assert.Equal(41, counts.In);
        Assert.Equal(40, counts.Annotated);
        var dead = Assert.Single(counts.DeadLetters);
        Assert.Equal("broken", dead.Name);
        Assert.StartsWith("decode.", dead.Stage, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"gen-{i}"), seen.Select(a => a.Name));
    }

    [Fact]
    public async Task A_source_that_fails_half_way_fails_the_replay_after_the_alerts_before_it()
    {
        var seen = new List<ReplayedAlert>();
        await using var engine = ArchiveFixture.Engine();
        var e = await Assert.ThrowsAsync<ArchiveException>(() => ScoredReplay.RunAsync(engine, FailingAfter(50), null, new ScoredReplayOptions(), seen.Add, null, CancellationToken.None));

        Assert.Contains("part 2 is unreadable", e.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"gen-{i}"), seen.Select(a => a.Name));
    }

    [Fact]
    public async Task A_cancelled_replay_stops_and_returns_what_it_counted()
    {
        using var cancel = new CancellationTokenSource();
        var seen = new List<ReplayedAlert>();
        await using var engine = ArchiveFixture.Engine();

        var counts = await ScoredReplay.RunAsync(engine, Items(300), null, new ScoredReplayOptions { Window = 8 }, a =>
        {
            seen.Add(a);
            if (seen.Count == 20)
            {
                cancel.Cancel();
            }
        }, null, cancel.Token);

        Assert.InRange(seen.Count, 20, 24);
        Assert.Equal(seen.Count, counts.Annotated);
    }

    private static IEnumerable<ReplayItem> FailingAfter(int count)
    {
        foreach (var item in Items(count))
        {
            yield return item;
        }

        throw new ArchiveException("part 2 is unreadable");
    }
}
