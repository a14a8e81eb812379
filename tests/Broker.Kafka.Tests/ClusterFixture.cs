using Broker.Kafka.Embedded;
using Confluent.Kafka;

namespace Broker.Kafka.Tests;

/// <summary>One embedded 3-broker cluster shared by a test class; each test uses its own topic and group names.</summary>
public sealed class ClusterFixture : IDisposable
{
    private int _next;

    public EmbeddedKafkaCluster Cluster { get; } = EmbeddedKafkaCluster.Start(brokers: 3);

    /// <summary>A fresh topic name (created with <paramref name="partitions"/> partitions).</summary>
    public string NewTopic(string stem, int partitions = 4)
    {
        var name = $"{stem}-{Interlocked.Increment(ref _next)}";
        Cluster.CreateTopic(name, partitions);
        return name;
    }

    /// <summary>Messages <paramref name="first"/>.. with keys and values from their number, spread over the partitions by key.</summary>
    public void Produce(string topic, int first, int count)
    {
        using var producer = KafkaClients.Producer<int, string>(new ProducerConfig
        {
            BootstrapServers = Cluster.BootstrapServers,
            Partitioner = Confluent.Kafka.Partitioner.Murmur2Random,
            EnableIdempotence = true,
        });
        for (var i = first; i < first + count; i++)
        {
            producer.Produce(topic, new Message<int, string> { Key = i, Value = $"alert-{i}" });
        }

        var remaining = producer.Flush(TimeSpan.FromSeconds(30));
        Assert.Equal(0, remaining);
    }

    public void Dispose() => Cluster.Dispose();
}
