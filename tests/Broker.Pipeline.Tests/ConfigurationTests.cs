using Broker.Pipeline.Configuration;

namespace Broker.Pipeline.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void The_shipped_example_configuration_loads_with_paths_from_its_folder()
    {
        var path = Path.Combine(TestData.Root, "deploy", "broker.json");
        var options = PipelineOptions.Load(path);
        Assert.Equal(["^ztf_.*"], options.Kafka.InputTopics);
        Assert.Equal(3, options.Filters.Count);
        Assert.Equal(Broker.Engine.Annotation.Payload.Light, options.Filters[0].Payload);
        Assert.True(Path.IsPathRooted(options.Models.Rb));
        Assert.Equal("broker.filtered.novel", options.FilteredTopic("novel"));
    }

    [Fact]
    public void The_shipped_cluster_configuration_loads_and_asks_for_redis()
    {
        var options = PipelineOptions.Load(Path.Combine(TestData.Root, "deploy", "cluster.json"));
        Assert.Equal("redis", options.Cluster.Clustering);
        Assert.Equal("redis", options.Cluster.Storage);
        Assert.Equal("redis:6379", options.Cluster.Redis);
        Assert.Equal("auto", options.Cluster.AdvertisedAddress);
        Assert.Equal("0.0.0.0:9464", options.Metrics.Listen);

        // The single-machine default needs no external service.
        var alone = PipelineOptions.Load(Path.Combine(TestData.Root, "deploy", "broker.json"));
        Assert.Equal("localhost", alone.Cluster.Clustering);
        Assert.Equal("memory", alone.Cluster.Storage);
    }

    [Fact]
    public void Redis_clustering_without_an_address_is_an_error()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "cluster": { "clustering": "redis" } }""");
            Assert.Contains("cluster.redis", Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load(file)).Message, StringComparison.Ordinal);
            File.WriteAllText(file, """{ "cluster": { "storage": "disk" } }""");
            Assert.Contains("cluster.storage is memory or redis", Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load(file)).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Unknown_keys_and_bad_values_are_errors_naming_the_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "kafka": { "boostrap_servers": "x:1" } }""");
            var e = Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load(file));
            Assert.Contains(file, e.Message, StringComparison.Ordinal);
            Assert.Contains("boostrap_servers", e.Message, StringComparison.Ordinal);
            File.WriteAllText(file, """{ "processing": { "lanes": 0 } }""");
            Assert.Contains("processing.lanes", Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load(file)).Message, StringComparison.Ordinal);
            File.WriteAllText(file, """{ "filters": [ { "name": "a b", "where": "rb > 0.5" } ] }""");
            Assert.Contains("filter name", Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load(file)).Message, StringComparison.Ordinal);
            File.WriteAllText(file, """{ "filters": [ { "name": "ok", "where": "rb > 0.5 and" } ] }""");
            Assert.Contains("filter 'ok': 1:13: expected a value", Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load(file)).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
