using Broker.Kafka.Embedded;
using Confluent.Kafka;

namespace Broker.Kafka.Tests;

public sealed class EmbeddedKafkaClusterTests : IClassFixture<ClusterFixture>
{
    private readonly ClusterFixture _fixture;

    public EmbeddedKafkaClusterTests(ClusterFixture fixture) => _fixture = fixture;

    [Fact]
    public void Listens_on_loopback_with_one_address_per_broker()
    {
        var addresses = _fixture.Cluster.BootstrapServers.Split(',');
        Assert.Equal(3, addresses.Length);
        Assert.All(addresses, a => Assert.StartsWith("127.0.0.1:", a, StringComparison.Ordinal));
    }

    [Fact]
    public void Created_topic_has_the_requested_partitions_in_cluster_metadata()
    {
        var topic = _fixture.NewTopic("meta", partitions: 4);
        using var admin = KafkaClients.Admin(new AdminClientConfig { BootstrapServers = _fixture.Cluster.BootstrapServers });
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        Assert.Equal(3, metadata.Brokers.Count);
        var described = Assert.Single(metadata.Topics);
        Assert.Equal(ErrorCode.NoError, described.Error.Code);
        Assert.Equal([0, 1, 2, 3], described.Partitions.Select(p => p.PartitionId).Order());
    }

    [Fact]
    public void Creating_a_topic_again_is_idempotent_but_a_different_count_is_refused()
    {
        var topic = _fixture.NewTopic("again", partitions: 2);
        _fixture.Cluster.CreateTopic(topic, 2);
        var e = Assert.Throws<InvalidOperationException>(() => _fixture.Cluster.CreateTopic(topic, 3));
        Assert.Contains("already exists with 2 partitions", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("..")]
    [InlineData("slash/name")]
    public void Illegal_topic_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => _fixture.Cluster.CreateTopic(name, 1));

    [Theory]
    [InlineData("alerts", "alerts", 4)]
    [InlineData("alerts:16", "alerts", 16)]
    [InlineData("ztf_20250101.v1:1", "ztf_20250101.v1", 1)]
    public void Topic_specs_parse(string text, string name, int partitions) =>
        Assert.Equal(new TopicSpec(name, partitions), TopicSpec.Parse(text));

    [Theory]
    [InlineData("alerts:0")]
    [InlineData("alerts:x")]
    [InlineData("alerts:-1")]
    [InlineData(":4")]
    [InlineData("a b:4")]
    public void Bad_topic_specs_say_what_is_wrong(string text)
    {
        var e = Assert.Throws<FormatException>(() => TopicSpec.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposed_cluster_closes_its_ports_and_refuses_work()
    {
        var cluster = EmbeddedKafkaCluster.Start(brokers: 1);
        var address = cluster.BootstrapServers;
        cluster.Dispose();
        cluster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("late", 1));
        var parsed = Configuration.KafkaPreflight.Parse(address).Single();
        using var client = new System.Net.Sockets.TcpClient();
        Assert.ThrowsAny<System.Net.Sockets.SocketException>(() => client.Connect(parsed.Host, parsed.Port));
    }

    [Fact]
    public async Task A_broker_taken_down_and_up_again_still_serves_produce()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokers: 3, [new TopicSpec("updown", 3)]);
        cluster.SetBrokerDown(2);
        cluster.SetBrokerUp(2);
        using var producer = KafkaClients.Producer<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers });
        for (var p = 0; p < 3; p++)
        {
            var result = await producer.ProduceAsync(new TopicPartition("updown", p), new Message<Null, string> { Value = "x" })
                .WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(PersistenceStatus.Persisted, result.Status);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerDown(4));
    }
}
