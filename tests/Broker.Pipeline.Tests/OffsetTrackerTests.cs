using Broker.Pipeline.Kafka;
using Confluent.Kafka;

namespace Broker.Pipeline.Tests;

public sealed class OffsetTrackerTests
{
    private static readonly TopicPartition P0 = new("in", 0);
    private static readonly TopicPartition P1 = new("in", 1);

    [Fact]
    public void Commits_only_past_a_contiguous_run_of_completed_offsets()
    {
        var tracker = new OffsetTracker();
        var states = Enumerable.Range(10, 5).Select(o => tracker.Begin(P0, o)).ToList();
        states[0].Complete(12);
        states[0].Complete(13);
        Assert.Empty(tracker.TakeCommittable());
        states[0].Complete(10);
        Assert.Equal(11, Assert.Single(tracker.TakeCommittable()).Offset.Value);
        Assert.Empty(tracker.TakeCommittable()); // nothing new
        states[0].Complete(11);
        Assert.Equal(14, Assert.Single(tracker.TakeCommittable()).Offset.Value);
        Assert.Equal(1, tracker.InFlight());
        states[0].Complete(14);
        Assert.Equal(15, Assert.Single(tracker.TakeCommittable()).Offset.Value);
        Assert.Equal(0, tracker.InFlight());
    }

    [Fact]
    public void Partitions_are_independent_and_revoked_ones_ignore_late_completions()
    {
        var tracker = new OffsetTracker();
        var a = tracker.Begin(P0, 0);
        var b = tracker.Begin(P1, 100);
        tracker.Begin(P1, 101);
        b.Complete(100);
        var committable = tracker.TakeCommittable();
        Assert.Equal(new TopicPartitionOffset(P1, 101), Assert.Single(committable));
        Assert.Equal(1, tracker.InFlight([P0]));
        tracker.Remove([P0]);
        a.Complete(0); // a lane finishing after revocation
        Assert.DoesNotContain(tracker.TakeCommittable(), t => t.TopicPartition == P0);
        Assert.Equal(0, tracker.InFlight([P0]));

        // Re-assigned later: a fresh state, starting from what is read again.
        var again = tracker.Begin(P0, 0);
        again.Complete(0);
        Assert.Equal(new TopicPartitionOffset(P0, 1), Assert.Single(tracker.TakeCommittable()));
    }

    [Fact]
    public void An_offset_given_up_at_a_stop_is_not_waited_for_and_holds_the_commit_before_it()
    {
        // A stop with the lanes' queue full: 21 was read but never queued, 22 and 23 were queued but skipped.
        var tracker = new OffsetTracker();
        var states = Enumerable.Range(20, 4).Select(o => tracker.Begin(P0, o)).ToList();
        states[0].Abandon(21);
        states[0].Abandon(23);
        Assert.Equal(2, tracker.InFlight());
        states[0].Complete(22);
        states[0].Complete(20);
        Assert.Equal(0, tracker.InFlight()); // a drain has nothing left to wait for
        Assert.Equal(21, Assert.Single(tracker.TakeCommittable()).Offset.Value); // 21 onwards is re-read on restart
        states[0].Abandon(20); // already done: giving it up changes nothing
        states[0].Abandon(99); // never read
        Assert.Empty(tracker.TakeCommittable());
        Assert.Equal(0, tracker.InFlight());
    }
}
