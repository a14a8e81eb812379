using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Pipeline.Configuration;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;
using Confluent.Kafka;

namespace Broker.Cli.Tests;

/// <summary>`broker run` as a real process: killed with SIGKILL mid-stream and restarted, it loses nothing.</summary>
[Collection(StopTestsCollection.Name)]
public sealed class RunCrashTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_run_killed_mid_stream_and_restarted_loses_no_alert()
    {
        using var cluster = EmbeddedKafkaCluster.Start(3, [new TopicSpec("crash.in", 4), new TopicSpec("crash.annotated", 4), new TopicSpec("crash.deadletter", 4)]);
        var stream = TestRuns.Generated(21, 150);
        var ids = stream.Select(a => a.AlertId).ToHashSet();

        var state = Directory.CreateTempSubdirectory("broker-crash-");
        try
        {
            var config = TestRuns.WriteConfig(state.FullName, TestRuns.Options(cluster.BootstrapServers, "crash-group", "crash", state.FullName) with
            {
                Metrics = new MetricsOptions { Listen = null },
            });

            // Read the outputs as they appear (the embedded cluster forgets old messages).
            var seen = new ConcurrentDictionary<long, int>();
            using var stopReading = new CancellationTokenSource();
            var reading = Task.Run(() => OutputKeys.Read(cluster.BootstrapServers, "crash-reader", ["crash.annotated"],
                (_, id) => seen.AddOrUpdate(id, 1, (_, n) => n + 1), stopReading.Token));

            using var producer = KafkaClients.Producer<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 });
            var inputAt = new ConcurrentDictionary<long, TopicPartitionOffset>();
            var produced = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            void ProduceUpTo(int count)
            {
                for (; produced < count && clock.Elapsed < Limit; produced++)
                {
                    // Hold back while the consumer lags (the embedded cluster keeps ~5 MiB per partition).
                    SpinWait.SpinUntil(() => produced - seen.Count < 40, Limit - clock.Elapsed);
                    var alertId = stream[produced].AlertId;
                    producer.Produce("crash.in", new Message<byte[], byte[]> { Key = BitConverter.GetBytes(produced), Value = stream[produced].Message },
                        report => inputAt[alertId] = report.TopicPartitionOffset);
                }

                producer.Flush(TimeSpan.FromSeconds(30));
            }

            using (var first = BrokerProcess.Start(["run", "--config", config]))
            {
                ProduceUpTo(60);
                Assert.True(SpinWait.SpinUntil(() => seen.Count >= 30, Limit), $"first run published {seen.Count}: {first.StandardError}");

                // The test is about what was acknowledged: wait until the run has committed some of what it published
                // (librdkafka commits the stored offsets every second), else a restart from nothing would pass it.
                Assert.True(SpinWait.SpinUntil(() => Committed(cluster.BootstrapServers).Values.Sum() >= 20, Limit), $"the first run committed {Committed(cluster.BootstrapServers).Values.Sum()} offsets: {first.StandardError}");
                first.SendSignal(9); // SIGKILL: no drain, no commit, no goodbye to the group
                Assert.Equal(137, first.WaitForExit(TimeSpan.FromSeconds(30)));
            }

            var committedAtKill = Committed(cluster.BootstrapServers);

            using var second = BrokerProcess.Start(["run", "--config", config]);
            ProduceUpTo(stream.Count);
            var complete = SpinWait.SpinUntil(() => ids.IsSubsetOf(seen.Keys), Limit);
            second.SendSignal(15);
            var code = second.WaitForExit(TimeSpan.FromSeconds(60));
            await stopReading.CancelAsync();
            await reading.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(complete, $"{ids.Count(seen.ContainsKey)} of {ids.Count} alerts annotated after the restart. stderr: {second.StandardError}");
            Assert.Equal(0, code);

            // The restart resumed from the commit, not from the start: an alert annotated twice was read again, and only
            // what lay at or past its partition's committed offset at the kill may be read again.
            var twice = seen.Where(kv => kv.Value > 1).Select(kv => inputAt[kv.Key]).ToList();
            Assert.All(twice, at => Assert.True(at.Offset.Value >= committedAtKill.GetValueOrDefault(at.Partition.Value),
                $"{at} was committed ({committedAtKill.GetValueOrDefault(at.Partition.Value)}) before the kill and read again after it"));
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    // The group's committed offset on each partition of crash.in (0 where none yet).
    private static Dictionary<int, long> Committed(string bootstrap)
    {
        using var consumer = KafkaClients.Consumer<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "crash-group", EnableAutoCommit = false });
        var partitions = Enumerable.Range(0, 4).Select(p => new TopicPartition("crash.in", p)).ToList();
        try
        {
            return consumer.Committed(partitions, TimeSpan.FromSeconds(5)).ToDictionary(c => c.Partition.Value, c => Math.Max(0, c.Offset.Value));
        }
        catch (KafkaException)
        {
            return [];
        }
    }
}
