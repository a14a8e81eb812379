// Nothing the broker acknowledged is missing from the archive: a silo writing the night archive is killed with
// SIGKILL mid-stream. Every input alert below the group's committed offsets must then be in the archive as the kill
// left it (after the repair a restart does: a torn last block cut off); the restarted silo repairs and indexes the
// file it had open, and finishes the stream, after which every alert is archived and every file indexed.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Archive;
using Broker.Cluster.Hosting;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Pipeline.Configuration;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Broker.Cli.Tests;

public sealed class ArchiveCrashTests(ITestOutputHelper output)
{
    private const int Partitions = 3;
    private const int Alerts = 240;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task A_silo_killed_while_archiving_loses_nothing_it_acknowledged()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1, [new TopicSpec("ak.in", Partitions), new TopicSpec("ak.annotated", Partitions), new TopicSpec("ak.deadletter", Partitions)]);
        var stream = TestRuns.Generated(41, Alerts);
        var state = Directory.CreateTempSubdirectory("broker-archive-crash-");
        var archiveRoot = Path.Combine(state.FullName, "archive");
        BrokerProcess? silo = null;
        try
        {
            var options = TestRuns.Options(cluster.BootstrapServers, "ak", "ak", state.FullName) with
            {
                Processing = new ProcessingOptions { Lanes = 8, DrainSeconds = 10 },
                Metrics = new MetricsOptions { Listen = "127.0.0.1:0" },
                Cluster = new ClusterOptions { SiloPort = 0, GatewayPort = 0, Dashboard = false },
                Archive = new ArchiveOptions { Directory = archiveRoot, Writer = "silo-a", FlushMs = 50 },
            };
            var config = TestRuns.WriteConfig(state.FullName, options);

            var annotated = new ConcurrentDictionary<long, int>();
            using var stopReading = new CancellationTokenSource();
            var reading = Task.Run(() => OutputKeys.Read(cluster.BootstrapServers, "ak-reader", ["ak.annotated"], (_, id) => annotated.AddOrUpdate(id, 1, (_, n) => n + 1), stopReading.Token));
            string endpoints;
            (silo, endpoints) = BrokerProcess.StartRun(TimeSpan.FromSeconds(60), "--config", config);

            // Input offsets, from the delivery reports: which alert is at which (partition, offset).
            var at = new ConcurrentDictionary<(int, long), long>();
            using var producer = KafkaClients.Producer<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 });
            var produced = 0;
            var clock = Stopwatch.StartNew();
            void ProduceUpTo(int count)
            {
                for (; produced < count && clock.Elapsed < Limit; produced++)
                {
                    SpinWait.SpinUntil(() => produced - annotated.Count < 60, Limit - clock.Elapsed); // the embedded cluster keeps ~5 MiB per partition
                    var alert = stream[produced];
                    producer.Produce(new TopicPartition("ak.in", produced % Partitions), new Message<byte[], byte[]> { Key = BitConverter.GetBytes(alert.AlertId), Value = alert.Message },
                        r => at[(r.Partition.Value, r.Offset.Value)] = alert.AlertId);
                }

                producer.Flush(TimeSpan.FromSeconds(30));
            }

            // Mid-stream: the silo is working through a backlog when it is killed.
            ProduceUpTo(Alerts / 2);
            Assert.True(SpinWait.SpinUntil(() => annotated.Count >= Alerts / 3, Limit), $"published {annotated.Count}: {silo.StandardError}");

            // /health says what the archive holds.
            using (var http = new HttpClient())
            {
                var health = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync(BrokerProcess.Endpoint(endpoints, "health")));
                var archive = health.GetProperty("archive");
                Assert.Equal("silo-a", archive.GetProperty("writer").GetString());
                Assert.True(archive.GetProperty("stored").GetInt64() > 0, health.ToString());
                Assert.Equal(JsonValueKind.Null, archive.GetProperty("failure").ValueKind);
            }

            // Offsets are committed every second: kill only once one commit has happened (a CI run on a loaded machine
            // killed the silo after it had published a third of the alerts but before its first commit).
            Assert.True(SpinWait.SpinUntil(() => Committed(cluster.BootstrapServers).Count > 0, TimeSpan.FromSeconds(30)), "no offset was committed before the kill");
            silo.SendSignal(9);
            Assert.Equal(137, silo.WaitForExit(TimeSpan.FromSeconds(30)));
            silo.Dispose();
            silo = null;

            var committed = Committed(cluster.BootstrapServers);
            var acknowledged = at.Where(kv => kv.Key.Item2 < committed.GetValueOrDefault(kv.Key.Item1)).Select(kv => kv.Value).ToHashSet();
            Assert.True(acknowledged.Count > 0, "nothing was committed before the kill: the test checks nothing");

            // The archive as the kill left it, repaired as a restart would (on a copy: the restart repairs the original).
            var copy = Path.Combine(state.FullName, "as-killed");
            CopyTree(archiveRoot, copy);
            var (code, repairOutput, repairError) = BrokerProcess.Run(Limit, "archive", "repair", copy);
            Assert.True(code == 0, repairOutput + repairError);
            var repaired = System.Text.RegularExpressions.Regex.Match(repairOutput, @"archive=repaired files=(\d+) records=(\d+) bytes_cut=(\d+)");
            Assert.True(repaired.Success, repairOutput);
            var archivedAtKill = Archived(copy);
            output.WriteLine($"killed with {acknowledged.Count} alerts acknowledged (committed offsets {string.Join(",", committed.Select(c => $"{c.Key}:{c.Value}"))}); " +
                $"archive as left: {archivedAtKill.Count} records, {repaired.Groups[1].Value} file(s) left open, {repaired.Groups[3].Value} bytes of a torn block cut");
            Assert.Empty(acknowledged.Except(archivedAtKill.Keys));
            Assert.True(int.Parse(repaired.Groups[1].Value, CultureInfo.InvariantCulture) >= 1, "the killed silo left no open file: it was not archiving when killed");
            (code, var nights, _) = BrokerProcess.Run(Limit, "archive", "nights", copy);
            Assert.Equal(0, code);
            Assert.Contains($"alerts={archivedAtKill.Values.Sum()}", nights, StringComparison.Ordinal);

            silo = Start(config);
            ProduceUpTo(Alerts);
            var ids = stream.Select(a => a.AlertId).ToHashSet();
            Assert.True(SpinWait.SpinUntil(() => ids.IsSubsetOf(annotated.Keys), Limit), $"{ids.Count(annotated.ContainsKey)} of {ids.Count} annotated: {silo.StandardError}");
            Assert.True(SpinWait.SpinUntil(() => Committed(cluster.BootstrapServers).Values.Sum() == Alerts, TimeSpan.FromSeconds(30)), "the restarted silo did not commit every offset");
            silo.SendSignal(15);
            Assert.Equal(0, silo.WaitForExit(TimeSpan.FromSeconds(60)));

            var archived = Archived(archiveRoot);
            Assert.Empty(ids.Except(archived.Keys));
            var parts = ArchiveLayout.Nights(archiveRoot).SelectMany(n => ArchiveLayout.Parts(archiveRoot, n.Survey, n.Night)).ToList();
            Assert.All(parts, p => Assert.True(File.Exists(ArchiveLayout.IndexOf(p)), $"{p} has no index"));
            output.WriteLine($"after the restart: {archived.Count} alerts archived in {parts.Count} files, {archived.Values.Sum() - archived.Count} archived twice (re-read after the kill)");

            await stopReading.CancelAsync();
            await reading.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            silo?.Dispose();
            state.Delete(recursive: true);
        }
    }

    private static BrokerProcess Start(string config) => BrokerProcess.StartRun(TimeSpan.FromSeconds(60), "--config", config).Process;

    // Alert id -> how many times it is in the archive.
    private static Dictionary<long, int> Archived(string archive) =>
        ArchiveLayout.Nights(archive).SelectMany(n => ArchiveReader.ReadNight(archive, n.Survey, n.Night))
            .GroupBy(a => a.Recorded.AlertId).ToDictionary(g => g.Key, g => g.Count());

    private static Dictionary<int, long> Committed(string bootstrap)
    {
        using var consumer = KafkaClients.Consumer<byte[]?, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "ak", EnableAutoCommit = false });
        return consumer.Committed([.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition("ak.in", p))], TimeSpan.FromSeconds(10))
            .Where(p => p.Offset.Value >= 0).ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
