using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Broker.Cluster.Hosting;
using Broker.Engine;
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
            var options = new BrokerOptions
            {
                Kafka = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, GroupId = "busy", InputTopics = ["busy.in"], OutputPrefix = "busy" },
                Schemas = new SchemaOptions { OutputDirectory = Path.Combine(state.FullName, "schemas") },
                Models = new ModelOptions { Rb = Path.Combine(root, "models", "rb"), Cnn = null },
                Metrics = new MetricsOptions { Listen = listen },
            };
            var config = Path.Combine(state.FullName, "broker.json");
            File.WriteAllText(config, JsonSerializer.Serialize(options, BrokerOptions.Json));

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

    [Fact]
    public void A_stop_during_start_up_with_kafka_unreachable_exits_promptly()
    {
        // Nothing listens on this port: every Kafka request fails or times out, and the watched filter's topic cannot be
        // checked or created. SIGTERM must still stop the silo at once (it used to wait out every topic's admin timeout).
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var state = Directory.CreateTempSubdirectory("broker-stop-");
        try
        {
            var root = AppContext.BaseDirectory;
            var filters = Directory.CreateDirectory(Path.Combine(state.FullName, "filters"));
            File.WriteAllText(Path.Combine(filters.FullName, "bright.filter"), "where: mag < 17\n");
            var options = new BrokerOptions
            {
                Kafka = new KafkaOptions { BootstrapServers = $"127.0.0.1:{closedPort}", GroupId = "stop", InputTopics = ["stop.in"], OutputPrefix = "stop" },
                Schemas = new SchemaOptions { OutputDirectory = Path.Combine(state.FullName, "schemas") },
                Models = new ModelOptions { Rb = Path.Combine(root, "models", "rb"), Cnn = null },
                Metrics = new MetricsOptions { Listen = "127.0.0.1:0" },
                Cluster = new ClusterOptions { SiloPort = 0, GatewayPort = 0, Dashboard = false },
                FilterDirectory = filters.FullName,
            };
            var config = Path.Combine(state.FullName, "broker.json");
            File.WriteAllText(config, JsonSerializer.Serialize(options, BrokerOptions.Json));
            var (silo, _) = BrokerProcess.StartRun(Limit, "--config", config);
            using var running = silo;

            Thread.Sleep(2000); // into the topic checks
            var clock = System.Diagnostics.Stopwatch.StartNew();
            silo.SendSignal(15);
            Assert.Equal(0, silo.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }
}
