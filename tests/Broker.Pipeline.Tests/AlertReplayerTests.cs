using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Pipeline.Replay;
using Confluent.Kafka;

namespace Broker.Pipeline.Tests;

public sealed class AlertReplayerTests
{
    private static readonly byte[][] Messages = [.. Enumerable.Range(0, 60).Select(i => new byte[] { (byte)i, 1, 2, 3 })];

    [Fact]
    public async Task Holds_back_per_partition_while_nothing_is_read()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1, [new TopicSpec("replay.held", 3)]);
        using var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 });
        var options = new ReplayOptions { MaxInFlight = 1000, ReadPosition = _ => -1, MaxUnreadPerPartition = 4, TimeLimit = TimeSpan.FromSeconds(2) };

        var produced = await AlertReplayer.ReplayAsync(producer, "replay.held", Messages, () => 0, options, CancellationToken.None);

        // Round robin over 3 partitions, each allowed 4 unread: 12 messages, then held back until the time limit.
        Assert.Equal(12, produced);
        Assert.Equal(12, EndOffsets(cluster, "replay.held", 3).Sum());
    }

    [Fact]
    public async Task Goes_on_as_the_consumer_reads_and_spreads_evenly()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1, [new TopicSpec("replay.read", 3)]);
        using var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 });

        // A reader that has read everything stored: the partition bound never holds back.
        var options = new ReplayOptions { MaxInFlight = 1000, ReadPosition = p => EndOffsets(cluster, "replay.read", 3)[p], MaxUnreadPerPartition = 4, TimeLimit = TimeSpan.FromSeconds(30) };
        var produced = await AlertReplayer.ReplayAsync(producer, "replay.read", Messages, () => 0, options, CancellationToken.None);

        Assert.Equal(Messages.Length, produced);
        Assert.Equal([20L, 20L, 20L], EndOffsets(cluster, "replay.read", 3));
    }

    [Fact]
    public async Task Bounds_messages_not_yet_done()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1, [new TopicSpec("replay.done", 2)]);
        using var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 });

        // `done` counts from where it was when the replay began: 500 finished before do not make room.
        var options = new ReplayOptions { MaxInFlight = 7, TimeLimit = TimeSpan.FromSeconds(2) };
        var produced = await AlertReplayer.ReplayAsync(producer, "replay.done", Messages, () => 500, options, CancellationToken.None);

        Assert.Equal(7, produced);
    }

    private static long[] EndOffsets(EmbeddedKafkaCluster cluster, string topic, int partitions)
    {
        using var consumer = KafkaClients.Consumer<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "replay-watermarks" });
        return [.. Enumerable.Range(0, partitions).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value)];
    }
}
