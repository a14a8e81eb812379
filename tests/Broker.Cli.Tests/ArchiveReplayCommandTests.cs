// `broker replay` as a researcher runs it: Fink's LSSTCam export scored into an archive run whose index DuckDB
// opens, that night reproduced exactly from the archive (every annotation identical) and compared with the current
// models; and a replay through Kafka during a live run, which annotates in its own group and topics and leaves the
// live group's committed offsets as they were.
using System.Globalization;
using System.Text.Json;
using Broker.Cluster.Hosting;
using Broker.Engine;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Pipeline.Configuration;
using Confluent.Kafka;
using DuckDB.NET.Data;

namespace Broker.Cli.Tests;

public sealed class ArchiveReplayCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);

    [Fact]
    public void A_fink_export_is_scored_into_an_archive_reproduced_exactly_and_compared()
    {
        var folder = Directory.CreateTempSubdirectory("broker-replay-fink-");
        try
        {
            var export = Path.Combine(AppContext.BaseDirectory, "fixtures", "fink_parquet");
            var run = Path.Combine(folder.FullName, "run");
            var (code, output, error) = BrokerProcess.Run(Limit, "replay", export, "--out", run);
            Assert.True(code == 0, output + error);
            var line = output.Split('\n').Single(l => l.StartsWith("replay=done", StringComparison.Ordinal));
            var n = int.Parse(System.Text.RegularExpressions.Regex.Match(line, @" annotated=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(n >= 3, line);
            Assert.Contains($"in={n} annotated={n} dead_lettered=0 archived={n}", line, StringComparison.Ordinal);
            Assert.Contains($"night rubin 2026-03-09: {n} alerts", output, StringComparison.Ordinal);

            // A researcher's DuckDB opens the night's index without the broker's code.
            using (var db = new DuckDBConnection("DataSource=:memory:"))
            {
                db.Open();
                using var command = db.CreateCommand();
                command.CommandText = $"SELECT count(*), count(DISTINCT alert_id), min(survey), count(cnn), count(f_rubin_psf_chi2) FROM read_parquet('{run}/rubin/2026-03-09/*.parquet')";
                using var reader = command.ExecuteReader();
                Assert.True(reader.Read());
                Assert.Equal(n, reader.GetInt64(0));
                Assert.Equal(n, reader.GetInt64(1));
                Assert.Equal("rubin", reader.GetString(2));
                Assert.Equal(n, reader.GetInt64(3));
                Assert.True(reader.GetInt64(4) > 0);
            }

            (code, output, error) = BrokerProcess.Run(Limit, "replay", "--archive", run, "--night", "2026-03-09", "--survey", "rubin", "--exact", "--out", Path.Combine(folder.FullName, "exact"));
            Assert.True(code == 0, output + error);
            Assert.Contains($"identical={n} differing=0", output, StringComparison.Ordinal);

            (code, output, error) = BrokerProcess.Run(Limit, "replay", "--archive", run, "--night", "2026-03-09", "--survey", "rubin", "--compare", "--out", Path.Combine(folder.FullName, "compare"));
            Assert.True(code == 0, output + error);
            Assert.Contains("compared with the recorded annotations", output, StringComparison.Ordinal);
            Assert.Contains("rb_combined  mean |shift|", output, StringComparison.Ordinal);

            (code, _, error) = BrokerProcess.Run(Limit, "replay", "--archive", run, "--night", "2026-03-10", "--survey", "rubin");
            Assert.Equal(2, code);
            Assert.Contains("rubin 2026-03-09", error, StringComparison.Ordinal); // says which nights there are
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_replay_through_kafka_during_a_live_run_uses_its_own_group_and_leaves_the_live_offsets_alone()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1, [new TopicSpec("live.in", 2), new TopicSpec("live.annotated", 2), new TopicSpec("live.deadletter", 2)]);
        var state = Directory.CreateTempSubdirectory("broker-replay-live-");
        var root = AppContext.BaseDirectory;
        var alerts = Path.Combine(root, "fixtures", "alerts", "ztf");
        var files = Directory.EnumerateFiles(alerts, "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        BrokerProcess? live = null;
        try
        {
            var options = new BrokerOptions
            {
                Kafka = new KafkaOptions { BootstrapServers = cluster.BootstrapServers, GroupId = "live", InputTopics = ["live.in"], OutputPrefix = "live" },
                Schemas = new SchemaOptions { OutputDirectory = Path.Combine(state.FullName, "schemas") },
                Models = new ModelOptions { Rb = Path.Combine(root, "models", "rb"), Cnn = Path.Combine(root, "models", "cnn-int8") },
                Metrics = new MetricsOptions { Listen = "127.0.0.1:0" },
                Cluster = new ClusterOptions { SiloPort = 0, GatewayPort = 0, Dashboard = false },
            };
            var config = Path.Combine(state.FullName, "live.json");
            File.WriteAllText(config, JsonSerializer.Serialize(options, BrokerOptions.Json));
            live = BrokerProcess.StartRun(TimeSpan.FromSeconds(60), "--config", config).Process;

            using (var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }))
            {
                foreach (var file in files)
                {
                    await producer.ProduceAsync("live.in", new Message<byte[]?, byte[]> { Value = File.ReadAllBytes(file) });
                }
            }

            Dictionary<int, long> committed = [];
            Assert.True(SpinWait.SpinUntil(() => (committed = Committed(cluster.BootstrapServers, "live", "live.in", 2)).Values.Sum() == files.Count, Limit), $"the live group committed {committed.Values.Sum()} of {files.Count}: {live.StandardError}");
            var liveOutputs = Count(cluster.BootstrapServers, "live.annotated", files.Count);

            var (code, output, error) = BrokerProcess.Run(Limit, "replay", alerts, "--bootstrap", cluster.BootstrapServers, "--prefix", "rp1", "--out", Path.Combine(state.FullName, "rp1"));
            Assert.True(code == 0, output + error);
            Assert.Contains($"replay=done in={files.Count} annotated={files.Count} dead_lettered=0", output, StringComparison.Ordinal);
            Assert.Equal(files.Count, Count(cluster.BootstrapServers, "rp1.annotated", files.Count));

            Thread.Sleep(1500); // a live commit cycle
            Assert.Equal(committed, Committed(cluster.BootstrapServers, "live", "live.in", 2));
            Assert.Equal(liveOutputs, Count(cluster.BootstrapServers, "live.annotated", files.Count + 1, TimeSpan.FromSeconds(3)));
            live.SendSignal(15);
            Assert.Equal(0, live.WaitForExit(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            live?.Dispose();
            state.Delete(recursive: true);
        }
    }

    // The group's committed offsets, fetched without joining it (an OffsetFetch; the consumer never subscribes).
    private static Dictionary<int, long> Committed(string bootstrap, string group, string topic, int partitions)
    {
        using var consumer = KafkaClients.Consumer<byte[]?, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group, EnableAutoCommit = false });
        return consumer.Committed([.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p))], TimeSpan.FromSeconds(10))
            .Where(p => p.Offset.Value >= 0).ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
    }

    // Messages in a topic, read until `expected` arrived or `wait` passed.
    private static int Count(string bootstrap, string topic, int expected, TimeSpan? wait = null)
    {
        using var consumer = KafkaClients.Consumer<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "count-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }.ApplyLowLatency());
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            // Assigned, not subscribed: no group join to wait for.
            var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions;
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)));
        }

        var read = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (read < expected && clock.Elapsed < (wait ?? TimeSpan.FromSeconds(60)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false })
            {
                read++;
            }
        }

        consumer.Close();
        return read;
    }
}
