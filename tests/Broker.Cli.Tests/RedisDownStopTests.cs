// A silo on Redis (membership and grain state) told to stop while Redis is down: it exits, within its stop budget
// (processing.drain_seconds for the pipeline, again for the silo's own leave), instead of waiting out Orleans'
// membership timeouts (it was still alive after 97 s). Its offsets never outrun its outputs either way.
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
public sealed class RedisDownStopTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Sigterm_while_redis_is_down_exits_in_bounded_time()
    {
        const double drainSeconds = 3;
        var redis = RedisServer.Start();
        using var cluster = EmbeddedKafkaCluster.Start(1, [new TopicSpec("rd.in", 2), new TopicSpec("rd.annotated", 2), new TopicSpec("rd.deadletter", 2)]);
        var stream = TestRuns.Generated(8, 40);
        var state = Directory.CreateTempSubdirectory("broker-redisdown-");
        try
        {
            var config = TestRuns.WriteConfig(state.FullName, TestRuns.Options(cluster.BootstrapServers, "rd-group", "rd", state.FullName) with
            {
                Processing = new ProcessingOptions { Lanes = 4, DrainSeconds = drainSeconds },
                Metrics = new MetricsOptions { Listen = "127.0.0.1:0" },
                Cluster = TestRuns.OnRedis(redis, "rd"),
            });

            var seen = new ConcurrentDictionary<long, int>();
            using var stopReading = new CancellationTokenSource();
            var reading = Task.Run(() => OutputKeys.Read(cluster.BootstrapServers, "rd-reader", ["rd.annotated"],
                (_, id) => seen.AddOrUpdate(id, 1, (_, n) => n + 1), stopReading.Token));
            var (silo, _) = BrokerProcess.StartRun(Limit, "--config", config);
            using (silo)
            {
                using (var producer = KafkaClients.Producer<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 }))
                {
                    foreach (var alert in stream)
                    {
                        producer.Produce("rd.in", new Message<byte[], byte[]> { Value = alert.Message });
                    }

                    producer.Flush(TimeSpan.FromSeconds(30));
                }

                // Grains are active (objects, nights, novelty) before Redis goes.
                Assert.True(SpinWait.SpinUntil(() => seen.Count >= stream.Count / 2, Limit), $"published {seen.Count}: {silo.StandardError}");
                redis.Dispose();
                Thread.Sleep(1000);
                var clock = Stopwatch.StartNew();
                silo.SendSignal(15);
                var code = silo.WaitForExit(TimeSpan.FromSeconds(60));
                var seconds = clock.Elapsed.TotalSeconds;
                await stopReading.CancelAsync();
                await reading.WaitAsync(TimeSpan.FromSeconds(15));
                Assert.True(code >= 0, $"still running {seconds:F0} s after SIGTERM with Redis down");

                // Two budgets (the pipeline's drain, the silo's leave) and the process's own start-up of the stop.
                Assert.True(seconds < (2 * drainSeconds) + 10, $"the stop took {seconds:F1} s");
            }
        }
        finally
        {
            redis.Dispose();
            state.Delete(recursive: true);
        }
    }
}
