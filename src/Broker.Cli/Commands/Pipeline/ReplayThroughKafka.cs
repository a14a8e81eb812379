// `broker replay SOURCE... --bootstrap B --prefix P`: a private stream of a recorded night. The alerts are produced
// into P.input and annotated by a pipeline of the replay's own, in consumer group P, publishing to P.annotated,
// P.filtered.<name> and P.deadletter (and into an archive run with --out): the live broker's group, topics and
// offsets are never touched. Ends when every message produced was published or dead-lettered.
using System.Diagnostics;
using System.Globalization;
using Broker.Archive;
using Broker.Archive.Replay;
using Broker.Cluster.Hosting;
using Broker.Engine.Shared;
using Broker.Kafka;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Broker.Cli.Commands.Pipeline;

internal static class ReplayThroughKafka
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(IEnumerable<ReplayItem> items, long? total, BrokerOptions options, string bootstrap, string prefix, string? outDir, CancellationToken cancel)
    {
        var input = prefix + ".input";
        options = options with
        {
            Kafka = options.Kafka with { BootstrapServers = bootstrap, GroupId = prefix, InputTopics = [input], OutputPrefix = prefix, AutoOffsetReset = "earliest" },
            Metrics = options.Metrics with { Listen = null },
            Archive = options.Archive with { Directory = outDir, Writer = "replay", WaitForSpace = false },
        };
        options.Validate("--prefix");
        await CreateTopicsAsync(bootstrap, [input, options.AnnotatedTopic, options.DeadLetterTopic]);

        using var logs = PipelineHost.Logging(json: false, LogLevel.Warning);
        await using var broker = await BrokerHost.StartAsync(options, logs, BrokerMode.Alone);
        var pipeline = broker.Pipeline;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var running = Task.Run(() => pipeline.RunAsync(stop.Token), CancellationToken.None);
        Console.Out.WriteLine($"replay: through Kafka {bootstrap}: {input} -> {options.AnnotatedTopic} (group {prefix}); rb {pipeline.Engine.RbModelId}, cnn {pipeline.Engine.CnnModelId ?? "none"}"
            + (outDir is null ? string.Empty : $"; archive run {Path.GetFullPath(outDir)}"));

        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        long produced = 0;
        long failed = 0;
        long Done() => pipeline.Status.Published + pipeline.Status.DeadLettered;
        void Report()
        {
            lastReport = clock.Elapsed;
            var rate = Done() / clock.Elapsed.TotalSeconds;
            var eta = total is { } all && rate > 0 ? string.Create(Inv, $"  ETA {(all - Done()) / rate,5:F0} s") : string.Empty;
            Console.Out.WriteLine(string.Create(Inv, $"  {clock.Elapsed.TotalSeconds,5:F0} s  produced {produced,7}{(total is { } n ? $" of {n}" : string.Empty)}  annotated {pipeline.Status.Published,7}  dead-lettered {pipeline.Status.DeadLettered,5}  {rate,6:F0} alerts/s{eta}"));
        }

        using (var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, MessageMaxBytes = 10_000_000 }))
        {
            // Delivery reports arrive on librdkafka's thread; a failed one counts (and is said at the end).
            foreach (var item in items)
            {
                // Bounded: at most 64 messages wait in the topic for the replay's own pipeline.
                while (produced - Done() >= 64 && !running.IsCompleted && !cancel.IsCancellationRequested)
                {
                    await Task.Delay(5, CancellationToken.None);
                }

                if (running.IsCompleted || cancel.IsCancellationRequested)
                {
                    break;
                }

                Produce(producer, input, item.Message, () => Interlocked.Increment(ref failed));
                produced++;
                if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
                {
                    Report();
                }
            }

            producer.Flush(TimeSpan.FromSeconds(60));
        }

        while (Done() < produced - failed && !running.IsCompleted && !cancel.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                Report();
            }
        }

        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (PipelineFailedException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        Console.Out.WriteLine(string.Create(Inv,
            $"replay=done in={produced} annotated={pipeline.Status.Published} dead_lettered={pipeline.Status.DeadLettered} produce_failed={failed} archived={broker.Archive?.Stored ?? 0} seconds={seconds:F1} rate_per_s={pipeline.Status.Published / Math.Max(seconds, 1e-3):F0} topic={options.AnnotatedTopic}"));
        return pipeline.Status.Published == 0 || failed > 0 ? 1 : 0;
    }

    // Produces one message (waiting while the local queue is full); a failure, now or in its report, counts.
    private static void Produce(IProducer<byte[]?, byte[]> producer, string topic, byte[] value, Action failed)
    {
        try
        {
            KafkaClients.ProduceWaiting(producer, topic, new Message<byte[]?, byte[]> { Value = value }, report =>
            {
                if (report.Error.IsError)
                {
                    failed();
                }
            });
        }
        catch (ProduceException<byte[]?, byte[]>)
        {
            failed();
        }
    }

    private static async Task CreateTopicsAsync(string bootstrap, IReadOnlyList<string> topics)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        try
        {
            await admin.CreateTopicsAsync([.. topics.Select(t => new TopicSpecification { Name = t, NumPartitions = -1, ReplicationFactor = -1 })],
                new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is Confluent.Kafka.ErrorCode.NoError or Confluent.Kafka.ErrorCode.TopicAlreadyExists))
        {
        }
        catch (KafkaException e)
        {
            // Not fatal: a cluster that creates topics on first use (or where they exist) still works; one that does
            // neither fails the first produce, which says so.
            await Console.Error.WriteLineAsync($"warning: could not create {string.Join(", ", topics)} ({e.Error.Reason}); relying on the cluster to create them on first use");
        }
    }
}
