using Broker.Kafka.Configuration;

namespace Broker.Kafka.Tests;

public sealed class PreflightTests : IClassFixture<ClusterFixture>
{
    private readonly ClusterFixture _fixture;

    public PreflightTests(ClusterFixture fixture) => _fixture = fixture;

    [Fact]
    public void Bootstrap_lists_parse_with_and_without_a_protocol_prefix()
    {
        var parsed = KafkaPreflight.Parse("PLAINTEXT://kafka-1:9092, 10.0.0.2:19092,[::1]:9093");
        Assert.Equal(
            [new BootstrapAddress("kafka-1", 9092), new BootstrapAddress("10.0.0.2", 19092), new BootstrapAddress("::1", 9093)],
            parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData("localhost:99999")]
    [InlineData(":9092")]
    [InlineData(",,")]
    public void Malformed_bootstrap_lists_name_the_bad_entry_and_the_fix(string text)
    {
        var e = Assert.Throws<KafkaConfigurationException>(() => KafkaPreflight.Parse(text));
        Assert.Contains("bootstrap.servers", e.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_host_is_reported_as_unknown()
    {
        var e = await Assert.ThrowsAsync<KafkaConfigurationException>(
            () => KafkaPreflight.CheckAsync("no-such-kafka.invalid:9092", TimeSpan.FromSeconds(5)));
        Assert.Contains("unknown host no-such-kafka.invalid", e.Message, StringComparison.Ordinal);
        Assert.Contains("./broker kafka serve", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closed_port_is_reported_as_nothing_listening()
    {
        // Bind then release a port so that it is (almost certainly) closed.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var e = await Assert.ThrowsAsync<KafkaConfigurationException>(
            () => KafkaPreflight.CheckAsync($"127.0.0.1:{port}", TimeSpan.FromSeconds(5)));
        Assert.Contains($"nothing is listening at 127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listener_that_is_not_kafka_is_reported_as_such()
    {
        // Accepts TCP and then says nothing, like a misdirected port.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var e = await Assert.ThrowsAsync<KafkaConfigurationException>(
                () => KafkaPreflight.CheckAsync($"127.0.0.1:{port}", TimeSpan.FromSeconds(2)));
            Assert.Contains("did not answer a Kafka metadata request", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task The_embedded_cluster_passes_with_its_broker_count()
    {
        var brokers = await KafkaPreflight.CheckAsync(_fixture.Cluster.BootstrapServers, TimeSpan.FromSeconds(10));
        Assert.Equal(3, brokers);
    }
}
