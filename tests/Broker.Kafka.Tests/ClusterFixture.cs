using Broker.Kafka.Embedded;

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

    public void Dispose() => Cluster.Dispose();
}
