// The configuration file as the composition root reads it: the pipeline's sections and the cluster's, unknown keys
// and bad values an error naming the key, the cluster's defaults needing no external service.
using Broker.Cluster.Hosting;
using Broker.Pipeline.Configuration;

namespace Broker.Cluster.Tests;

public sealed class BrokerOptionsTests
{
    private static string Deploy(string file) => Path.Combine(AppContext.BaseDirectory, "deploy", file);

    [Fact]
    public void The_shipped_cluster_configuration_loads_and_asks_for_redis()
    {
        var options = BrokerOptions.Load(Deploy("cluster.json"));
        Assert.Equal("redis", options.Cluster.Clustering);
        Assert.Equal("redis", options.Cluster.Storage);
        Assert.Equal("redis:6379", options.Cluster.Redis);
        Assert.Equal("auto", options.Cluster.AdvertisedAddress);
        Assert.Equal("0.0.0.0:9464", options.Metrics.Listen);

        // The single-machine default needs no external service.
        var alone = BrokerOptions.Load(Deploy("broker.json"));
        Assert.Equal("localhost", alone.Cluster.Clustering);
        Assert.Equal("memory", alone.Cluster.Storage);
        Assert.Equal(3, alone.Filters.Count);
        Assert.True(Path.IsPathRooted(alone.Models.Rb));
    }

    [Fact]
    public void A_change_through_the_pipeline_part_keeps_the_cluster_section()
    {
        PipelineOptions options = BrokerOptions.Load(Deploy("cluster.json"));
        var changed = options with { Kafka = options.Kafka with { BootstrapServers = "127.0.0.1:1" } };
        var broker = Assert.IsType<BrokerOptions>(changed);
        Assert.Equal("redis", broker.Cluster.Clustering);
        Assert.Equal("127.0.0.1:1", broker.Kafka.BootstrapServers);
    }

    [Theory]
    [InlineData("""{ "cluster": { "clustering": "redis" } }""", "cluster.redis")]
    [InlineData("""{ "cluster": { "storage": "disk" } }""", "cluster.storage is memory or redis")]
    [InlineData("""{ "cluster": { "max_filters": 0 } }""", "cluster.max_filters")]
    [InlineData("""{ "cluster": { "silo_port": 70000 } }""", "cluster.silo_port")]
    [InlineData("""{ "cluster": { "missed_probes_limit": 0 } }""", "missed_probes_limit")]
    [InlineData("""{ "cluster": { "silo_prot": 1 } }""", "silo_prot")]
    [InlineData("""{ "processing": { "lanes": 0 } }""", "processing.lanes")]
    public void Bad_values_and_unknown_keys_are_errors_naming_the_file_and_the_key(string json, string expected)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, json);
            var e = Assert.Throws<PipelineConfigException>(() => BrokerOptions.Load(file));
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Contains(file, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var e = Assert.Throws<PipelineConfigException>(() => BrokerOptions.Load("/nonexistent/broker.json"));
        Assert.Contains("no such configuration file", e.Message, StringComparison.Ordinal);
    }
}
