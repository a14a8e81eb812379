// `broker filter add|remove|list` against a running one-silo cluster (`broker run`, localhost clustering), and the
// same catalog over the silo's HTTP API (the Orleans Dashboard beside it): a change is in force on the silo within seconds; a bad filter is refused
// with its line and column; an unreachable cluster is exit 2 with one line.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Broker.Cluster.Hosting;
using Broker.Engine;
using Broker.Kafka.Embedded;
using Broker.Pipeline.Configuration;

namespace Broker.Cli.Tests;

public sealed class FilterCatalogCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Subscriptions_added_and_removed_from_the_command_line_and_http_reach_the_silo()
    {
        using var kafka = EmbeddedKafkaCluster.Start(1, [new TopicSpec("cat.in", 1)]);
        var state = Directory.CreateTempSubdirectory("broker-catalog-");
        try
        {
            var root = AppContext.BaseDirectory;
            var options = new BrokerOptions
            {
                Kafka = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, GroupId = "cat", InputTopics = ["cat.in"], OutputPrefix = "cat" },
                Schemas = new SchemaOptions { OutputDirectory = Path.Combine(state.FullName, "schemas") },
                Models = new ModelOptions { Rb = Path.Combine(root, "models", "rb"), Cnn = null },
                Metrics = new MetricsOptions { Listen = "127.0.0.1:0" },
                Cluster = new ClusterOptions { SiloPort = FreePort(), GatewayPort = FreePort(), Dashboard = true },
            };
            var config = Path.Combine(state.FullName, "broker.json");
            File.WriteAllText(config, JsonSerializer.Serialize(options, BrokerOptions.Json));
            var good = Path.Combine(state.FullName, "bright.filter");
            File.WriteAllText(good, "owner: team-a\npayload: light\nwhere: mag < 17 and rb >= 0.5\n");
            var bad = Path.Combine(state.FullName, "broken.filter");
            File.WriteAllText(bad, "where: mag < and rb\n");

            var (started, line) = BrokerProcess.StartRun(Limit, "--config", config);
            using var silo = started;
            var health = BrokerProcess.Endpoint(line, "health");
            using var http = new HttpClient();

            // The Orleans Dashboard is mounted on the same host.
            using (var dashboard = await http.GetAsync(new Uri(health, "/orleans")))
            {
                Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
                Assert.Contains("Orleans", await dashboard.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            }

            var (code, output, error) = BrokerProcess.Run(Limit, "filter", "add", good, "--config", config);
            Assert.True(code == 0, error);
            Assert.StartsWith("added bright: catalog version ", output, StringComparison.Ordinal);
            Assert.True(await InForce(http, health, "bright", true), "bright did not come into force");

            (code, _, error) = BrokerProcess.Run(Limit, "filter", "add", bad, "--config", config);
            Assert.Equal(1, code);
            Assert.Contains("broken.filter: 1:", error, StringComparison.Ordinal);

            // The HTTP API on the silo: a second subscription, a refused one with the compiler's position.
            var api = new Uri(health, "/api/filters/");
            using (var put = await http.PutAsJsonAsync(new Uri(api, "novel_g"), new { where = "novelty >= 0.7 and band = 'g'", payload = "full" }))
            {
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            }

            using (var refused = await http.PutAsJsonAsync(new Uri(api, "oops"), new { where = "novelty >=" }))
            {
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.Contains("1:", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            (code, output, _) = BrokerProcess.Run(Limit, "filter", "list", "--config", config);
            Assert.Equal(0, code);
            Assert.Contains("2 filters", output, StringComparison.Ordinal);
            Assert.Contains("bright (light, owner team-a): mag < 17 and rb >= 0.5", output, StringComparison.Ordinal);
            Assert.Contains("novel_g (full): novelty >= 0.7 and band = 'g'", output, StringComparison.Ordinal);
            Assert.True(await InForce(http, health, "novel_g", true));

            (code, output, _) = BrokerProcess.Run(Limit, "filter", "remove", "bright", "--config", config);
            Assert.Equal(0, code);
            Assert.True(await InForce(http, health, "bright", false), "bright stayed in force after its removal");
            Assert.Equal(1, BrokerProcess.Run(Limit, "filter", "remove", "bright", "--config", config).ExitCode);

            silo.SendSignal(15);
            Assert.Equal(0, silo.WaitForExit(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_unreachable_cluster_is_one_line_and_exit_code_2()
    {
        var (code, _, error) = BrokerProcess.Run(Limit, "filter", "list", "--gateway", $"127.0.0.1:{FreePort()}");
        Assert.Equal(2, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: no broker cluster 'broker' answered at 127.0.0.1:", line, StringComparison.Ordinal);
    }

    // Polls /health until the filter is (or is no longer) in force on the silo; false after 15 s.
    private static async Task<bool> InForce(HttpClient http, Uri health, string name, bool expected)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            var body = await http.GetFromJsonAsync<JsonElement>(health);
            if (body.GetProperty("filters").EnumerateArray().Any(f => f.GetString() == name) == expected)
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }
}
