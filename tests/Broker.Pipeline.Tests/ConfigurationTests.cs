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
    public void A_missing_file_is_a_configuration_error_naming_it()
    {
        var e = Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load("/nonexistent/broker.json"));
        Assert.Contains("/nonexistent/broker.json: no such configuration file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pipeline_alone_refuses_the_cluster_section_it_does_not_own()
    {
        // The cluster's section belongs to Broker.Cluster (BrokerOptions); the pipeline's own reader names the key.
        var e = Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load(Path.Combine(TestData.Root, "deploy", "cluster.json")));
        Assert.Contains("cluster", e.Message, StringComparison.Ordinal);
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
