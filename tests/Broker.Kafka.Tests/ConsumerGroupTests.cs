using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Broker.Kafka.Tests;

/// <summary>
/// The behaviours the broker's scale-out rests on, shown against the embedded cluster: a group splits a topic's
/// partitions, a leaving member's partitions move to the survivor, and committed offsets resume with nothing lost.
/// </summary>
public sealed class ConsumerGroupTests : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly ClusterFixture _fixture;

    public ConsumerGroupTests(ClusterFixture fixture) => _fixture = fixture;

    [Fact]
    public void Producer_writes_to_all_four_partitions_and_a_consumer_reads_every_message()
    {
        var topic = _fixture.NewTopic("roundtrip");
        _fixture.Produce(topic, 0, 200);
        using var consumer = NewConsumer($"g-{topic}", out var seen);
        consumer.Subscribe(topic);
        Wait.Until(() => seen.Count >= 200, Deadline, "all 200 messages", () => Poll(consumer, seen));
        Assert.Equal(Enumerable.Range(0, 200), seen.Keys.Order());
        Assert.Equal(4, seen.Values.Distinct().Count());
    }

    [Theory]
    [InlineData(GroupProtocol.Classic)]
    [InlineData(GroupProtocol.Consumer)] // KIP-848: the protocol the embedded cluster and Kafka 4.0+ speak
    public void Two_members_split_the_partitions_and_the_survivor_takes_over_when_one_leaves(GroupProtocol protocol)
    {
        var topic = _fixture.NewTopic($"split-{protocol}".ToLowerInvariant());
        var group = $"g-{topic}";
        using var a = NewConsumer(group, out var seenA, protocol);
        using var b = NewConsumer(group, out var seenB, protocol);
        a.Subscribe(topic);
        b.Subscribe(topic);

        Wait.Until(
            () => a.Assignment.Count > 0 && b.Assignment.Count > 0 && a.Assignment.Count + b.Assignment.Count == 4,
            Deadline,
            "both members to hold partitions, four in all",
            () =>
            {
                Poll(a, seenA);
                Poll(b, seenB);
            });
        var partsA = a.Assignment.Select(tp => tp.Partition.Value).ToHashSet();
        var partsB = b.Assignment.Select(tp => tp.Partition.Value).ToHashSet();
        Assert.Empty(partsA.Intersect(partsB));
        Assert.Equal([0, 1, 2, 3], partsA.Union(partsB).Order());

        // Each member reads only from its own partitions. (Produced once the split is settled: with KIP-848 the first
        // member is given all four partitions at once and hands two over incrementally when the second joins.)
        _fixture.Produce(topic, 0, 100);
        Wait.Until(() => seenA.Count + seenB.Count >= 100, Deadline, "the first 100 messages", () =>
        {
            Poll(a, seenA);
            Poll(b, seenB);
        });
        Assert.All(seenA.Values, p => Assert.Contains(p, partsA));
        Assert.All(seenB.Values, p => Assert.Contains(p, partsB));

        // A leaves cleanly; B is handed all four partitions and reads what is produced next on every one of them.
        a.Commit();
        a.Close();
        _fixture.Produce(topic, 100, 100);
        Wait.Until(() => b.Assignment.Count == 4, Deadline, "the survivor to own all four partitions", () => Poll(b, seenB));
        Wait.Until(
            () => Enumerable.Range(100, 100).All(seenB.ContainsKey),
            Deadline,
            "the survivor to read messages 100..199",
            () => Poll(b, seenB));
        Assert.Equal(4, Enumerable.Range(100, 100).Select(i => seenB[i]).Distinct().Count());
    }

    [Fact]
    public void Committed_offsets_resume_after_a_restart_with_no_message_lost()
    {
        var topic = _fixture.NewTopic("resume");
        var group = $"g-{topic}";
        _fixture.Produce(topic, 0, 120);

        // First run: read everything there is, commit, stop.
        var firstRun = new ConcurrentDictionary<int, int>();
        using (var first = NewConsumer(group, out firstRun))
        {
            first.Subscribe(topic);
            Wait.Until(() => firstRun.Count >= 120, Deadline, "first run to read 120", () => Poll(first, firstRun));
            first.Commit();
            first.Close();
        }

        // While nobody consumes, more alerts arrive.
        _fixture.Produce(topic, 120, 80);

        // Second run of the same group: exactly the new messages, none of the old ones again, none missing.
        using var second = NewConsumer(group, out var secondRun);
        second.Subscribe(topic);
        Wait.Until(() => secondRun.Count >= 80, Deadline, "second run to read the 80 new messages", () => Poll(second, secondRun));
        // Poll a little longer: nothing else may show up.
        for (var i = 0; i < 10; i++)
        {
            Poll(second, secondRun);
        }

        Assert.Equal(Enumerable.Range(0, 120), firstRun.Keys.Order());
        Assert.Equal(Enumerable.Range(120, 80), secondRun.Keys.Order());
        var committed = second.Committed(second.Assignment, TimeSpan.FromSeconds(10));
        Assert.Equal(4, committed.Count);
        Assert.All(committed, c => Assert.True(c.Offset.Value > 0, $"partition {c.Partition} has a committed offset"));
    }

    /// <summary>A consumer that records message key -> partition; manual commits only.</summary>
    private IConsumer<int, string> NewConsumer(string group, out ConcurrentDictionary<int, int> seen, GroupProtocol protocol = GroupProtocol.Classic)
    {
        seen = new ConcurrentDictionary<int, int>();
        var config = new ConsumerConfig
        {
            BootstrapServers = _fixture.Cluster.BootstrapServers,
            GroupId = group,
            GroupProtocol = protocol,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        }.ApplyLowLatency();
        return KafkaClients.Consumer<int, string>(config);
    }

    private static void Poll(IConsumer<int, string> consumer, ConcurrentDictionary<int, int> seen)
    {
        var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
        while (result is not null)
        {
            if (!result.IsPartitionEOF)
            {
                seen[result.Message.Key] = result.Partition.Value;
                try
                {
                    consumer.StoreOffset(result);
                }
                catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_State)
                {
                    // A rebalance took the partition away after this message was fetched (as the pipeline does in
                    // StoreCommittable): its next owner re-reads from the last commit, so nothing is lost.
                }
            }

            result = consumer.Consume(TimeSpan.Zero);
        }
    }
}
