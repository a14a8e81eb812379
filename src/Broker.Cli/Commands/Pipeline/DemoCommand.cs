// `broker demo`: the whole broker on this machine with nothing to set up. Starts the embedded Kafka, replays the
// fixture night mixed into a generated night into an input topic (holding back while the pipeline lags), runs
// the full pipeline in-process with /metrics and /health on a loopback port, prints progress every second, and
// ends with a summary and a key=value line. Exit 0 when every input message was published or dead-lettered.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Archive;
using Broker.Cli.Commands.Cnn;
using Broker.Cli.Hosting;
using Broker.Cluster.Hosting;
using Broker.Cluster.Nights;
using Broker.Engine;
using Broker.Filters;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Broker.Pipeline.Replay;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Cli.Commands.Pipeline;

internal static class DemoCommand
{
    public const string InputTopic = "ztf.alerts";

    public static Command Create()
    {
        var generated = new Option<int>("--generated") { Description = "Generated alerts to mix with the fixture night (0: the fixture night alone).", DefaultValueFactory = _ => 1500 };
        var rate = new Option<double>("--rate") { Description = "Offered messages per second (0: as fast as the lag bound allows).", DefaultValueFactory = _ => 300 };
        var seconds = new Option<double>("--seconds") { Description = "Give up after this long.", DefaultValueFactory = _ => 180 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated night.", DefaultValueFactory = _ => 7 };
        var verbose = new Option<bool>("--verbose") { Description = "Show the pipeline's own log lines." };
        var keep = new Option<bool>("--keep") { Description = "Leave the broker and its dashboard up after the replay, until Ctrl+C (SIGINT/SIGTERM)." };
        var archive = new Option<string?>("--archive") { Description = $"Where the night archive is written (default {DefaultArchive}, emptied first)." };
        var command = new Command("demo", "Run the whole broker on the embedded Kafka over a replayed night, then summarize.")
        {
            generated, rate, seconds, seed, verbose, keep, archive,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var inv = CultureInfo.InvariantCulture;
            using var shutdown = new ShutdownSignal(cancel);
            var clock = Stopwatch.StartNew();
            var night = DemoNight.Mix(DemoNight.Generated(parse.GetValue(generated), parse.GetValue(seed)), DemoNight.Fixtures());
            Console.Out.WriteLine(string.Create(inv, $"night: {night.Count} messages ({night.Sum(m => (long)m.Length) / 1e6:F1} MB), prepared in {clock.Elapsed.TotalSeconds:F1} s"));

            using var cluster = EmbeddedKafkaCluster.Start(3, [new TopicSpec(InputTopic, 4)]);
            var state = Directory.CreateTempSubdirectory("broker-demo-");
            var archiveRoot = parse.GetValue(archive) ?? DefaultArchive;
            if (parse.GetValue(archive) is null && Directory.Exists(DefaultArchive))
            {
                Directory.Delete(DefaultArchive, recursive: true); // the demo's own folder: each demo archives its night afresh
            }

            var options = Options(cluster.BootstrapServers, state.FullName) with { Archive = new ArchiveOptions { Directory = Path.GetFullPath(archiveRoot), Writer = "demo" } };
            foreach (var topic in options.OutputTopics)
            {
                cluster.CreateTopic(topic, 4);
            }

            var observer = new DemoObserver();
            using var logs = PipelineHost.Logging(false, parse.GetValue(verbose) ? LogLevel.Information : LogLevel.Error);
            await using var silo = await BrokerHost.StartAsync(options, logs, BrokerMode.Silo, observer, Broker.Dashboard.DashboardEndpoints.Map);
            var pipeline = silo.Pipeline;
            using var stopPipeline = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token);
            var metrics = silo.Address;
            var running = silo.RunAsync(stopPipeline.Token);
            Console.Out.WriteLine($"embedded Kafka {cluster.BootstrapServers}; silo {silo.SiloAddress} (one-silo cluster); rb {pipeline.Engine.RbModelId}, cnn {pipeline.Engine.CnnModelId ?? "none"}; {options.Filters.Count} filters");
            if (metrics is not null)
            {
                Console.Out.WriteLine($"dashboard {metrics}  health {metrics}health  metrics {metrics}metrics  orleans dashboard {metrics}orleans");
            }

            long Done() => pipeline.Status.Published + pipeline.Status.DeadLettered;
            using var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 });
            var limit = TimeSpan.FromSeconds(parse.GetValue(seconds));
            var replay = AlertReplayer.ReplayAsync(producer, InputTopic, night, Done, EmbeddedReplay(pipeline, night) with { Rate = parse.GetValue(rate), TimeLimit = limit }, shutdown.Token);
            var run = Stopwatch.StartNew();
            var lastDone = 0L;
            while (Done() < night.Count && run.Elapsed < limit && !shutdown.Token.IsCancellationRequested && !running.IsCompleted)
            {
                await Task.WhenAny(Task.Delay(1000, CancellationToken.None), running);
                var done = Done();
                var p = pipeline.Metrics.IngestToPublishSamples.Percentiles(0.5, 0.99);
                Console.Out.WriteLine(string.Create(inv,
                    $"  {run.Elapsed.TotalSeconds,5:F0} s  read {pipeline.Status.Consumed,6}  published {pipeline.Status.Published,6}  dead letters {pipeline.Status.DeadLettered,4}  {done - lastDone,5} msg/s  latency p50 {p[0],6:F1} ms p99 {p[1],6:F1} ms  novelty {Snapshots(pipeline)}"));
                lastDone = done;
            }

            var elapsed = run.Elapsed.TotalSeconds;
            if (parse.GetValue(keep) && !shutdown.Token.IsCancellationRequested && !running.IsCompleted)
            {
                // The replay is over; the broker stays up (still consuming) so the dashboard can be explored.
                Console.Out.WriteLine($"replay done; the broker and its dashboard ({metrics}) stay up until Ctrl+C");
                Console.Out.Flush();
                await Task.WhenAny(Task.Delay(Timeout.Infinite, shutdown.Token).ContinueWith(_ => { }, TaskScheduler.Default), running);
            }

            await stopPipeline.CancelAsync();
            try
            {
                await running;
                await replay;
            }
            catch (PipelineFailedException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException)
            {
            }

            var complete = Done() >= night.Count;
            Summary(pipeline, observer, night.Count, elapsed, metrics, complete);
            await NightsAsync(silo, observer);
            Console.Out.WriteLine($"night digests (top ten novel likely-real alerts each) published to {options.DigestTopic}: {await silo.PublishDigestsAsync()} survey nights");
            if (silo.Archive is { } kept)
            {
                var nights = Broker.Archive.ArchiveLayout.Nights(kept.Root);
                Console.Out.WriteLine($"archive {kept.Root}: {kept.Stored} alerts over {nights.Count} survey nights (Avro files, a Parquet index each when they close)");
                if (nights.Count > 0)
                {
                    var (survey, last) = nights.OrderByDescending(n => Broker.Archive.ArchiveLayout.Parts(kept.Root, n.Survey, n.Night).Sum(f => new FileInfo(f).Length)).First();
                    Console.Out.WriteLine($"  replay the largest night exactly: ./broker replay --archive {archiveRoot} --night {last} --survey {survey} --exact");
                }
            }

            Result(pipeline, observer, night.Count, elapsed, complete);
            state.Delete(recursive: true);
            return complete ? 0 : 1;
        });
        return command;
    }

    /// <summary>Where the demo keeps its night archive unless --archive says otherwise.</summary>
    internal const string DefaultArchive = "state/demo-archive";

    private static string Snapshots(BrokerPipeline pipeline) => pipeline.Engine.Novelty.SnapshotIds is { Count: > 0 } ids
        ? string.Join(" ", ids.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"{i.Key}:{i.Value}"))
        : "warming up";

    /// <summary>The demo's pipeline settings: every model, three example subscriptions, metrics on a free port.</summary>
    internal static BrokerOptions Options(string bootstrap, string stateFolder) => new BrokerOptions
    {
        Kafka = new KafkaOptions { BootstrapServers = bootstrap, GroupId = "broker-demo", InputTopics = [InputTopic], OutputPrefix = "demo", GroupProtocol = "consumer" },
        Schemas = new SchemaOptions { OutputDirectory = Path.Combine(stateFolder, "schemas") },
        Models = new ModelOptions { Rb = RepoPaths.Resolve("models/rb"), Cnn = RepoPaths.Resolve(CnnCommands.ServingModel) },
        Metrics = new MetricsOptions { Listen = "127.0.0.1:0" },
        Cluster = new ClusterOptions { SiloPort = 0, GatewayPort = 0 },
        Filters =
        [
            new FilterDefinition { Name = "likely_real", Where = "rb_combined >= 0.74 and positive", Payload = Broker.Engine.Annotation.Payload.Light },
            new FilterDefinition { Name = "novel", Where = "novelty >= 0.62 and rb_combined >= 0.5", Payload = Broker.Engine.Annotation.Payload.Full },
            new FilterDefinition { Name = "bright_r", Where = "mag <= 17.5 and band = 'r' and rb >= 0.5", Payload = Broker.Engine.Annotation.Payload.Light },
        ],
    }.Validate("demo");

    // The cluster's view of the nights the demo touched, read from their night grains (what the dashboard will show).
    private static async Task NightsAsync(BrokerHost silo, DemoObserver observer)
    {
        await silo.FlushNightsAsync();
        var nights = new List<NightSummary>();
        foreach (var key in observer.Nights)
        {
            nights.Add(await silo.Grains.GetGrain<INightGrain>(key).Summary());
        }

        Console.Out.WriteLine($"nights (from the night grains; the busiest {Math.Min(8, nights.Count)} of {nights.Count}):");
        foreach (var n in nights.OrderByDescending(n => n.Alerts + n.DeadLetters.Values.Sum()).Take(8).OrderBy(n => n.Survey + n.Night, StringComparer.Ordinal))
        {
            var key = n.Survey + ":" + n.Night;
            var top = n.TopNovel.Count > 0 ? $"; most novel {n.TopNovel[0].ObjectId} {n.TopNovel[0].Novelty:F3} ({n.TopNovel[0].Subspace})" : string.Empty;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {key,-18} {n.Alerts,6} alerts, {n.Filters.Values.Sum(),5} filter matches, {n.DeadLetters.Values.Sum(),3} dead letters{top}"));
        }
    }

    private static void Summary(BrokerPipeline pipeline, DemoObserver observer, int messages, double seconds, Uri? metrics, bool complete)
    {
        var inv = CultureInfo.InvariantCulture;
        var p = pipeline.Metrics.IngestToPublishSamples.Percentiles(0.5, 0.9, 0.99, 1.0);
        Console.Out.WriteLine();
        Console.Out.WriteLine(string.Create(inv, $"summary: {messages} input messages in {seconds:F1} s; {pipeline.Status.Published} published, {pipeline.Status.DeadLettered} dead-lettered{(complete ? string.Empty : " (INCOMPLETE)")}"));
        Console.Out.WriteLine("output topics:");
        foreach (var (topic, count) in observer.Topics.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            Console.Out.WriteLine(string.Create(inv, $"  {topic,-28} {count,7}"));
        }

        Console.Out.WriteLine(string.Create(inv, $"  {pipeline.Options.DeadLetterTopic,-28} {observer.DeadLetterCount,7}"));
        Console.Out.WriteLine("dead letters by stage:");
        foreach (var (stage, count) in observer.DeadLetters.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            Console.Out.WriteLine(string.Create(inv, $"  {stage,-28} {count,7}"));
        }

        Console.Out.WriteLine("most novel alerts:");
        foreach (var line in observer.MostNovel())
        {
            Console.Out.WriteLine("  " + line);
        }

        Console.Out.WriteLine(string.Create(inv, $"ingest-to-publish latency: p50 {p[0]:F1} ms, p90 {p[1]:F1} ms, p99 {p[2]:F1} ms, max {p[3]:F1} ms"));
        if (metrics is not null)
        {
            Console.Out.WriteLine($"(metrics were served at {metrics}metrics while it ran)");
        }
    }

    // The last line, key=value, for scripts and tests.
    private static void Result(BrokerPipeline pipeline, DemoObserver observer, int messages, double seconds, bool complete)
    {
        var inv = CultureInfo.InvariantCulture;
        var p = pipeline.Metrics.IngestToPublishSamples.Percentiles(0.5, 0.99);
        Console.Out.WriteLine(string.Create(inv,
            $"demo=done messages={messages} published={pipeline.Status.Published} dead_letters={pipeline.Status.DeadLettered} alerts={observer.DistinctAlerts} seconds={seconds:F1} p50_ms={p[0]:F1} p99_ms={p[1]:F1} complete={complete.ToString().ToLowerInvariant()}"));
    }

    /// <summary>
    /// Replay bounds for the embedded cluster: per partition, what waits unread by the pipeline stays under 80% of
    /// what the mock retains. Unread by the pipeline includes what librdkafka has already fetched into its queue,
    /// so what the mock could drop (stored and not yet fetched) is smaller still.
    /// </summary>
    internal static ReplayOptions EmbeddedReplay(BrokerPipeline pipeline, IReadOnlyList<byte[]> night) => EmbeddedReplay([pipeline], night);

    /// <summary>The same for several pipelines of one consumer group: a partition's read position is its reader's (the furthest).</summary>
    internal static ReplayOptions EmbeddedReplay(IReadOnlyList<BrokerPipeline> pipelines, IReadOnlyList<byte[]> night) => new()
    {
        ReadPosition = p => pipelines.Max(x => x.Status.ReadPosition(InputTopic, p)),
        MaxUnreadPerPartition = (int)Math.Max(1, EmbeddedKafkaCluster.RetainedBytesPerPartition * 0.8 / night.Average(m => (double)m.Length)),
    };

}
