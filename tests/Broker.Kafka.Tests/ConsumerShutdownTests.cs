using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Broker.Kafka.Tests;

/// <summary>
/// Leaving the group before closing (ConsumerShutdown): the handover in progress finishes and is revoked while the group
/// is alive, what was stored is committed, and the close that follows has nothing left to do.
/// </summary>
public sealed class ConsumerShutdownTests : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly ClusterFixture _fixture;

    public ConsumerShutdownTests(ClusterFixture fixture) => _fixture = fixture;

    [Theory]
    [InlineData(GroupProtocol.Classic)]
    [InlineData(GroupProtocol.Consumer)]
    public async Task Leaving_revokes_every_partition_and_commits_what_was_stored(GroupProtocol protocol)
    {
        var topic = _fixture.NewTopic($"leave-{protocol}".ToLowerInvariant());
        _fixture.Produce(topic, 0, 40);
        var group = $"g-{topic}";
        var events = new ConcurrentQueue<string>();
        using var consumer = NewConsumer(group, protocol, events);
        consumer.Subscribe(topic);
        var read = 0;
        Wait.Until(() => read >= 40, Deadline, "all 40 messages", () =>
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
            {
                consumer.StoreOffset(result);
                read++;
            }
        });

        Assert.Null(ConsumerShutdown.LeaveGroup(consumer, TimeSpan.FromSeconds(30)));
        Assert.Empty(consumer.Assignment);
        Assert.Equal(4, events.Count(e => e.StartsWith("revoked", StringComparison.Ordinal)));
        await CloseWithin(consumer);

        // The stored offsets were committed as the partitions were unassigned: the group resumes at the end.
        using var next = NewConsumer(group, protocol, new ConcurrentQueue<string>());
        var committed = next.Committed([.. Enumerable.Range(0, 4).Select(p => new TopicPartition(topic, p))], TimeSpan.FromSeconds(10));
        Assert.Equal(40, committed.Sum(c => c.Offset.Value));
    }

    [Theory]
    [InlineData(GroupProtocol.Classic)]
    [InlineData(GroupProtocol.Consumer)]
    public async Task An_assignment_not_yet_handed_over_is_handed_over_and_revoked_before_the_close(GroupProtocol protocol)
    {
        var topic = _fixture.NewTopic($"handover-{protocol}".ToLowerInvariant());
        var events = new ConcurrentQueue<string>();
        using var consumer = NewConsumer($"g-{topic}", protocol, events);
        consumer.Subscribe(topic);
        // Connect, join, and let the coordinator's answer arrive without serving it: the assignment waits in the queue.
        _ = consumer.Consume(TimeSpan.FromMilliseconds(1));
        await Task.Delay(1500);

        Assert.Null(ConsumerShutdown.LeaveGroup(consumer, TimeSpan.FromSeconds(30)));
        Assert.Empty(consumer.Assignment);
        var assigned = events.Count(e => e.StartsWith("assigned", StringComparison.Ordinal));
        if (protocol == GroupProtocol.Consumer)
        {
            // KIP-848 (the pipeline's protocol, where the hang was seen): the waiting assignment is handed over first.
            Assert.True(assigned == 4, string.Join("; ", events));
        }

        // Classic: librdkafka discards the waiting assignment as outdated when unsubscribing (nothing to revoke then).
        Assert.Equal(assigned, events.Count(e => e.StartsWith("revoked", StringComparison.Ordinal)));
        await CloseWithin(consumer);
    }

    private static async Task CloseWithin(IConsumer<int, string> consumer)
    {
        var close = Task.Run(consumer.Close);
        Assert.True(await Task.WhenAny(close, Task.Delay(Deadline)) == close, "the close did not return");
        await close;
    }

    private IConsumer<int, string> NewConsumer(string group, GroupProtocol protocol, ConcurrentQueue<string> events)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _fixture.Cluster.BootstrapServers,
            GroupId = group,
            GroupProtocol = protocol,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
        }.ApplyLowLatency();
        return KafkaClients.Consumer<int, string>(config, b => b
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                foreach (var p in partitions)
                {
                    events.Enqueue($"assigned {p}");
                }
            })
            .SetPartitionsRevokedHandler((_, partitions) =>
            {
                foreach (var p in partitions)
                {
                    events.Enqueue($"revoked {p.TopicPartition}");
                }
            }));
    }
}
