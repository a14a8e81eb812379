using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Broker.Kafka.Embedded;
using Broker.Pipeline.Configuration;

namespace Broker.Cli.Tests;

/// <summary>`broker run`'s start-up errors: one line naming the problem and the fix, exit code 2.</summary>
public sealed class RunCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_metrics_port_in_use_is_a_one_line_error_naming_the_address_with_exit_code_2()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1, [new TopicSpec("busy.in", 1)]);
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var listen = $"127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";
        var state = Directory.CreateTempSubdirectory("broker-busy-");
        try
        {
            var root = AppContext.BaseDirectory;
            var options = new PipelineOptions
            {
                Kafka = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, GroupId = "busy", InputTopics = ["busy.in"], OutputPrefix = "busy" },
                Schemas = new SchemaOptions { OutputDirectory = Path.Combine(state.FullName, "schemas") },
                Models = new ModelOptions { Rb = Path.Combine(root, "models", "rb"), Cnn = null },
                Metrics = new MetricsOptions { Listen = listen },
            };
            var config = Path.Combine(state.FullName, "broker.json");
            File.WriteAllText(config, JsonSerializer.Serialize(options, PipelineOptions.Json));

            var (code, _, error) = BrokerProcess.Run(Limit, "run", "--config", config);
            Assert.Equal(2, code);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"error: metrics.listen {listen} is already in use", line, StringComparison.Ordinal);
            Assert.Contains("its own metrics.listen port", line, StringComparison.Ordinal);
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }
}
