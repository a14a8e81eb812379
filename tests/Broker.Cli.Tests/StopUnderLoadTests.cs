// `broker run` stopped with SIGTERM while its lanes' queue is full (one slow lane, a queue of one, a backlog on the
// input): it exits within processing.drain_seconds (it used to wait twice that, for a message it had read but never
// queued), commits nothing it did not finish, and a restart annotates every alert.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Pipeline.Configuration;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;
using Confluent.Kafka;

namespace Broker.Cli.Tests;

[Collection(StopTestsCollection.Name)]
public sealed class StopUnderLoadTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Sigterm_with_full_lane_queues_exits_within_drain_seconds_and_a_restart_loses_nothing()
    {
        const double drainSeconds = 4;
        using var cluster = EmbeddedKafkaCluster.Start(3, [new TopicSpec("stop.in", 4), new TopicSpec("stop.annotated", 4), new TopicSpec("stop.deadletter", 4)]);
        var stream = TestRuns.Generated(5, 120);
        var ids = stream.Select(a => a.AlertId).ToHashSet();

        var state = Directory.CreateTempSubdirectory("broker-stop-");
        try
        {
            var config = TestRuns.WriteConfig(state.FullName, TestRuns.Options(cluster.BootstrapServers, "stop-group", "stop", state.FullName) with
            {
                Metrics = new MetricsOptions { Listen = null },
                Processing = new ProcessingOptions { Lanes = 1, QueueCapacity = 1, DrainSeconds = drainSeconds },
            });

            var seen = new ConcurrentDictionary<long, int>();
            using var stopReading = new CancellationTokenSource();
            var reading = Task.Run(() => OutputKeys.Read(cluster.BootstrapServers, "stop-reader", ["stop.annotated"],
                (_, id) => seen.AddOrUpdate(id, 1, (_, n) => n + 1), stopReading.Token));

            // The whole backlog is there before the run starts, so the one lane is always behind.
            using (var producer = KafkaClients.Producer<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 }))
            {
                for (var i = 0; i < stream.Count; i++)
                {
                    producer.Produce("stop.in", new Message<byte[], byte[]> { Key = BitConverter.GetBytes(i), Value = stream[i].Message });
                }

                producer.Flush(TimeSpan.FromSeconds(30));
            }

            double stopSeconds;
            using (var first = BrokerProcess.Start(["run", "--config", config]))
            {
                Assert.True(SpinWait.SpinUntil(() => seen.Count >= 10, Limit), $"first run published {seen.Count}: {first.StandardError}");
                Assert.True(seen.Count < stream.Count - 20, "the backlog was gone before the stop: nothing to test");
                var clock = Stopwatch.StartNew();
                first.SendSignal(15);
                Assert.Equal(0, first.WaitForExit(TimeSpan.FromSeconds(60)));
                stopSeconds = clock.Elapsed.TotalSeconds;
            }

            using var second = BrokerProcess.Start(["run", "--config", config]);
            var complete = SpinWait.SpinUntil(() => ids.IsSubsetOf(seen.Keys), Limit);
            second.SendSignal(15);
            second.WaitForExit(TimeSpan.FromSeconds(60));
            await stopReading.CancelAsync();
            await reading.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(complete, $"{ids.Count(seen.ContainsKey)} of {ids.Count} alerts annotated after the restart. stderr: {second.StandardError}");

            // The bound is the setting plus the silo's own stop (Orleans, the HTTP host), not twice the setting.
            Assert.True(stopSeconds < drainSeconds + 3, $"the stop took {stopSeconds:F1} s with processing.drain_seconds {drainSeconds}");
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }
}

/// <summary>
/// The tests that stop and restart whole broker processes under load run one at a time: on two cores, two of them
/// side by side starve each other's Kafka sessions, which is not what they are about.
/// </summary>
[CollectionDefinition(Name)]
public sealed class StopTestsCollection
{
    public const string Name = "processes stopped under load";
}
