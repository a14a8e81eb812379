// `broker bench e2e`: sustained throughput and ingest-to-publish latency of the whole pipeline through the
// embedded Kafka, at fixed offered rates (0 = as fast as it goes). One cluster and one pipeline for all steps;
// each step replays the generated night (cycled) for a fixed time and measures what was finished in it. By default
// the pipeline runs in a one-silo cluster, as `broker run` does (grain calls for objects, novelty sync, night
// reports); `--alone` runs it without a silo, for the paired comparison in docs/performance.md.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Cli.Commands.Cnn;
using Broker.Cluster.Hosting;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Pipeline;
using Broker.Pipeline.Replay;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Cli.Commands.Pipeline;

internal static class E2eBench
{
    public static Command Create()
    {
        var rates = new Option<string>("--rates") { Description = "Offered rates in messages/s, comma-separated (0: unlimited).", DefaultValueFactory = _ => "1000,0" };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds per rate.", DefaultValueFactory = _ => 20 };
        var generated = new Option<int>("--generated") { Description = "Distinct generated alerts to cycle through.", DefaultValueFactory = _ => 2000 };
        var warmup = new Option<int>("--warmup") { Description = "Alerts replayed before measuring (JIT tiers, GC budget, novelty reservoirs).", DefaultValueFactory = _ => 5000 };
        var cnn = new Option<string>("--cnn") { Description = "CNN model directory (to compare models; 'none' for no CNN).", DefaultValueFactory = _ => CnnCommands.ServingModel };
        var alone = new Option<bool>("--alone") { Description = "Run the pipeline without a silo (no grains), as `broker run --no-cluster`." };
        var archive = new Option<string?>("--archive") { Description = "Also keep every published alert in a night archive here (what archiving costs); left there afterwards." };
        var archiveCodec = new Option<string>("--archive-codec") { Description = "The archive's block codec (null, deflate, snappy).", DefaultValueFactory = _ => "null" };
        var archiveFlush = new Option<double>("--archive-flush-ms") { Description = "archive.flush_ms: extra wait to gather more records per fsync.", DefaultValueFactory = _ => 0 };
        var command = new Command("e2e", "Whole-pipeline throughput and ingest-to-publish latency through the embedded Kafka.") { rates, seconds, generated, warmup, cnn, alone, archive, archiveCodec, archiveFlush };
        command.SetAction(async (parse, cancel) =>
        {
            var inv = CultureInfo.InvariantCulture;
            var steps = parse.GetValue(rates)!.Split(',').Select(r => double.Parse(r, inv)).ToList();
            var night = DemoNight.Generated(parse.GetValue(generated), 3);
            // 12 input partitions, so that the replayer's bound of unread messages per partition (80% of what the
            // mock retains) is not what limits the rate; in all, at most 1,000 messages are between replay and output.
            const int InputPartitions = 12;
            const int MaxInFlight = 1000;
            using var cluster = EmbeddedKafkaCluster.Start(3, [new TopicSpec(DemoCommand.InputTopic, InputPartitions)]);
            var state = Directory.CreateTempSubdirectory("broker-bench-");
            var options = DemoCommand.Options(cluster.BootstrapServers, state.FullName) with { Metrics = new() { Listen = null } };
            options = options with { Models = options.Models with { Cnn = CnnCommands.ModelDirOrNone(parse.GetValue(cnn)) } };
            var archiveRoot = parse.GetValue(archive) is { } a ? Path.Combine(Path.GetFullPath(a), "bench-" + Environment.ProcessId.ToString(inv)) : null;
            options = options with { Archive = new Broker.Pipeline.Configuration.ArchiveOptions { Directory = archiveRoot, Writer = "bench", Codec = parse.GetValue(archiveCodec)!, FlushMs = parse.GetValue(archiveFlush) } };
            foreach (var topic in options.OutputTopics)
            {
                cluster.CreateTopic(topic, 4);
            }

            using var logs = PipelineHost.Logging(false, LogLevel.Warning);
            await using var silo = parse.GetValue(alone) ? null : await SiloHost.StartAsync(options with { Cluster = options.Cluster with { Dashboard = false } }, logs);
            await using var alongside = silo is null && archiveRoot is not null ? new Broker.Archive.NightArchive(options.Archive, logs.CreateLogger("archive")) : null;
            await using var single = silo is null ? BrokerPipeline.Create(options, logs.CreateLogger("broker"), services: new Broker.Pipeline.Shared.PipelineServices { Archive = alongside }) : null;
            var pipeline = silo?.Pipeline ?? single!;
            if (alongside is not null)
            {
                alongside.Filters = pipeline.Filters;
            }

            using var stop = new CancellationTokenSource();
            var running = pipeline.RunAsync(stop.Token);
            using var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 });
            long Done() => pipeline.Status.Published + pipeline.Status.DeadLettered;

            // Warm-up: join the group, fill the novelty reservoirs, and let the tiered JIT and the GC settle (after only
            // 500 alerts the first unlimited step measured 10-25% below the same step run later in the process).
            var warm = Math.Max(1, parse.GetValue(warmup));
            var warmMessages = Enumerable.Range(0, warm).Select(i => night[i % night.Count]).ToList();
            await AlertReplayer.ReplayAsync(producer, DemoCommand.InputTopic, warmMessages, Done, DemoCommand.EmbeddedReplay(pipeline, night) with { MaxInFlight = MaxInFlight }, cancel);
            SpinWait.SpinUntil(() => Done() >= warm, TimeSpan.FromSeconds(120));
            var results = new List<string>();
            Console.Out.WriteLine(string.Create(inv, $"{Environment.ProcessorCount} cores; {(silo is null ? "pipeline alone" : "one-silo cluster")}; rb {pipeline.RbModelId}, cnn {pipeline.CnnModelId}; {night.Count} distinct messages ({night.Average(m => m.Length) / 1024:F0} KiB avg); {InputPartitions} input partitions, at most {MaxInFlight} in flight"));
            foreach (var rate in steps)
            {
                var limit = TimeSpan.FromSeconds(parse.GetValue(seconds));
                var count = rate > 0 ? (int)(rate * limit.TotalSeconds) : 1_000_000;
                var messages = Enumerable.Range(0, count).Select(i => night[i % night.Count]).ToList();
                var before = Done();
                pipeline.Metrics.IngestToPublishSamples.Clear();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var produced = await AlertReplayer.ReplayAsync(producer, DemoCommand.InputTopic, messages, Done, DemoCommand.EmbeddedReplay(pipeline, night) with { Rate = rate, TimeLimit = limit, MaxInFlight = MaxInFlight }, cancel);
                if (!SpinWait.SpinUntil(() => Done() >= before + produced, TimeSpan.FromSeconds(30)))
                {
                    // A message the pipeline never saw: the mock dropped it (retention) or the pipeline stalled.
                    Console.Error.WriteLine($"bench e2e: {before + produced - Done()} of {produced} messages not finished 30 s after the last was produced (consumed {pipeline.Status.Consumed}, published {pipeline.Status.Published}, dead-lettered {pipeline.Status.DeadLettered})");
                    return 1;
                }

                var elapsed = clock.Elapsed.TotalSeconds;
                var cores = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / elapsed;
                var finished = Done() - before;
                var p = pipeline.Metrics.IngestToPublishSamples.Percentiles(0.5, 0.9, 0.99);
                var label = rate > 0 ? rate.ToString("F0", inv) : "max";
                Console.Out.WriteLine(string.Create(inv,
                    $"offered {label,5}/s: {finished / elapsed,7:F0} alerts/s sustained over {elapsed:F1} s ({finished} alerts, {cores:F2} cores busy); ingest-to-publish p50 {p[0]:F1} ms, p90 {p[1]:F1} ms, p99 {p[2]:F1} ms"));
                results.Add(string.Create(inv, $"rate_{label}_per_s={finished / elapsed:F0} rate_{label}_p50_ms={p[0]:F1} rate_{label}_p99_ms={p[2]:F1} rate_{label}_cores={cores:F2}"));
            }

            await stop.CancelAsync();
            await running;
            state.Delete(recursive: true);
            Console.Out.WriteLine($"bench=e2e mode={(silo is null ? "alone" : "silo")}{(archiveRoot is null ? string.Empty : "+archive")} {string.Join(' ', results)} cores={Environment.ProcessorCount}");
            if (archiveRoot is not null && Directory.Exists(archiveRoot))
            {
                var bytes = Directory.EnumerateFiles(archiveRoot, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
                Console.Out.WriteLine(string.Create(inv, $"archive: {(silo?.Archive ?? alongside)!.Stored} records, {bytes / 1e6:F0} MB written in {archiveRoot} (not deleted: remove it when done)"));
            }
            return 0;
        });
        return command;
    }
}
