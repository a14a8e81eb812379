// `broker bench e2e`: sustained throughput and ingest-to-publish latency of the whole pipeline through the
// embedded Kafka, at fixed offered rates (0 = as fast as it goes). One cluster and one pipeline for all steps;
// each step replays the generated night (or, with --alerts, real alerts; cycled) for a fixed time and measures what
// was finished in it, the CPU it took (the broker's own apart from the bench's load) and its collections. By default
// the pipeline runs in a one-silo cluster, as `broker run` does (grain calls for objects, novelty sync, night
// reports); `--alone` runs it without a silo, for the paired comparison in docs/performance.md; `--silos N --redis
// HOST:PORT` runs N silos of one Redis-backed cluster in this process (what a cluster costs on one machine).
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Cli.Commands.Cnn;

namespace Broker.Cli.Commands.Pipeline;

internal static class E2eBench
{
    public static Command Create()
    {
        var rates = new Option<string>("--rates") { Description = "Offered rates in messages/s, comma-separated (0: unlimited).", DefaultValueFactory = _ => "1000,0" };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds per rate.", DefaultValueFactory = _ => 20 };
        var generated = new Option<int>("--generated") { Description = "Distinct generated alerts to cycle through.", DefaultValueFactory = _ => 2000 };
        var alerts = new Option<string?>("--alerts") { Description = "Replay these alerts (files or folders any alert source reads, cycled) instead of a generated night; unreadable items are left out." };
        var warmup = new Option<int>("--warmup") { Description = "Alerts replayed before measuring (JIT tiers, GC budget, novelty reservoirs).", DefaultValueFactory = _ => 5000 };
        var cnn = new Option<string>("--cnn") { Description = "CNN model directory (to compare models; 'none' for no CNN).", DefaultValueFactory = _ => CnnCommands.ServingModel };
        var alone = new Option<bool>("--alone") { Description = "Run the pipeline without a silo (no grains), as `broker run --no-cluster`." };
        var archive = new Option<string?>("--archive") { Description = "Also keep every published alert in a night archive here (what archiving costs); left there afterwards." };
        var archiveCodec = new Option<string>("--archive-codec") { Description = "The archive's block codec (null, deflate, snappy).", DefaultValueFactory = _ => "null" };
        var archiveFlush = new Option<double>("--archive-flush-ms") { Description = "archive.flush_ms: extra wait to gather more records per fsync.", DefaultValueFactory = _ => 0 };
        var silos = new Option<int>("--silos") { Description = "Silos of one cluster in this process, each a consumer-group member (above 1 needs --redis).", DefaultValueFactory = _ => 1 };
        var redis = new Option<string?>("--redis") { Description = "Redis (host:port) for the cluster's membership and grain state (needed with --silos above 1; with one silo it replaces the in-memory defaults)." };
        var command = new Command("e2e", "Whole-pipeline throughput and ingest-to-publish latency through the embedded Kafka.") { rates, seconds, generated, alerts, warmup, cnn, alone, archive, archiveCodec, archiveFlush, silos, redis };
        command.SetAction(async (parse, cancel) =>
        {
            var inv = CultureInfo.InvariantCulture;
            var steps = parse.GetValue(rates)!.Split(',').Select(r => double.Parse(r, inv)).ToList();
            var night = parse.GetValue(alerts) is { } paths ? RealNight(paths) : null;
            E2eRig rig;
            try
            {
                rig = await E2eRig.StartAsync(new E2eRigOptions
                {
                    Generated = parse.GetValue(generated),
                    Night = night,
                    NightSource = parse.GetValue(alerts),
                    Cnn = parse.GetValue(cnn),
                    Alone = parse.GetValue(alone),
                    Archive = parse.GetValue(archive),
                    ArchiveCodec = parse.GetValue(archiveCodec)!,
                    ArchiveFlushMs = parse.GetValue(archiveFlush),
                    Silos = parse.GetValue(silos),
                    Redis = parse.GetValue(redis),
                });
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            await using var owned = rig;
            var pipeline = rig.Pipeline;
            await rig.WarmUpAsync(parse.GetValue(warmup), cancel);
            var results = new List<string>();
            Console.Out.WriteLine(rig.Describe());

            // The stages alone, on one thread, with the same models and alerts (the pipeline is idle meanwhile).
            var stages = await Broker.Engine.StageCosts.MeasureAsync(pipeline.Engine, [.. rig.Night.Take(512)], pipeline.Options.Processing.CnnMaxBatch);
            Console.Out.WriteLine($"stages on one core: {stages}");
            foreach (var rate in steps)
            {
                var limit = TimeSpan.FromSeconds(parse.GetValue(seconds));
                var count = rate > 0 ? (int)(rate * limit.TotalSeconds) : 1_000_000;
                var before = rig.Done();
                foreach (var each in rig.Pipelines)
                {
                    each.Metrics.IngestToPublishSamples.Clear();
                }

                var cpu = E2eRig.Cpu();
                var gcs = GcCounts();
                var paused = GC.GetTotalPauseDuration();
                var load = NamedThreadsCpu.Of(rig.LoadThreads);
                var clock = Stopwatch.StartNew();
                var produced = await rig.ReplayAsync(count, rate, limit, cancel);
                if (!SpinWait.SpinUntil(() => rig.Done() >= before + produced, TimeSpan.FromSeconds(30)))
                {
                    // A message the pipeline never saw: the mock dropped it (retention) or the pipeline stalled.
                    Console.Error.WriteLine($"bench e2e: {before + produced - rig.Done()} of {produced} messages not finished 30 s after the last was produced (consumed {rig.Pipelines.Sum(x => x.Status.Consumed)}, published {rig.Pipelines.Sum(x => x.Status.Published)}, dead-lettered {rig.Pipelines.Sum(x => x.Status.DeadLettered)})");
                    return 1;
                }

                var elapsed = clock.Elapsed.TotalSeconds;
                var cores = (E2eRig.Cpu() - cpu).TotalSeconds / elapsed;
                var finished = rig.Done() - before;
                var p = Broker.Engine.Metrics.LatencySamples.Percentiles(rig.Pipelines.Select(x => x.Metrics.IngestToPublishSamples), 0.5, 0.9, 0.99);
                var label = rate > 0 ? rate.ToString("F0", inv) : "max";
                var gc = GcCounts().Zip(gcs, (now, then) => now - then).ToArray();
                var pausedMs = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds;
                var cpuPerAlert = (E2eRig.Cpu() - cpu).TotalMicroseconds / Math.Max(1, finished);
                var brokerPerAlert = cpuPerAlert - ((NamedThreadsCpu.Of(rig.LoadThreads) - load).TotalMicroseconds / Math.Max(1, finished));
                Console.Out.WriteLine(string.Create(inv,
                    $"offered {label,5}/s: {finished / elapsed,7:F0} alerts/s sustained over {elapsed:F1} s ({finished} alerts, {cores:F2} cores busy); ingest-to-publish p50 {p[0]:F1} ms, p90 {p[1]:F1} ms, p99 {p[2]:F1} ms; CPU {cpuPerAlert:F0} us per alert = {cpuPerAlert / stages.Sum:F2} x the stages' sum ({brokerPerAlert:F0} us = {brokerPerAlert / stages.Sum:F2} x without the embedded Kafka's and the replaying producer's librdkafka threads); GCs gen0/1/2 {gc[0]}/{gc[1]}/{gc[2]}, paused {pausedMs / elapsed / 10:F1}% of the time"));
                results.Add(string.Create(inv, $"rate_{label}_per_s={finished / elapsed:F0} rate_{label}_p50_ms={p[0]:F1} rate_{label}_p99_ms={p[2]:F1} rate_{label}_cores={cores:F2} rate_{label}_cpu_us={cpuPerAlert:F0} rate_{label}_cpu_over_stages={cpuPerAlert / stages.Sum:F2} rate_{label}_broker_cpu_us={brokerPerAlert:F0} rate_{label}_broker_cpu_over_stages={brokerPerAlert / stages.Sum:F2} rate_{label}_gen2={gc[2]} rate_{label}_gc_paused_pct={pausedMs / elapsed / 10:F1}"));
            }

            if (rig.Silos > 1)
            {
                // Each silo is a consumer-group member: the partitions are shared, so each publishes its part.
                Console.Out.WriteLine("published per silo: " + string.Join(" / ", rig.Pipelines.Select(x => x.Status.Published.ToString(inv))));
            }

            Console.Out.WriteLine(string.Create(inv, $"stages_us={stages.Sum:F0} decode_us={stages.Decode:F0} features_us={stages.Features:F0} trees_us={stages.Trees:F0} cnn_us={stages.Cnn:F0} novelty_us={stages.Novelty:F0} encode_us={stages.Encode:F0}"));
            Console.Out.WriteLine($"bench=e2e mode={(!rig.InSilo ? "alone" : rig.Silos == 1 ? "silo" : $"silos{rig.Silos}")}{(parse.GetValue(redis) is null || !rig.InSilo ? string.Empty : "+redis")}{(rig.ArchiveRoot is null ? string.Empty : "+archive")} {string.Join(' ', results)} cores={Environment.ProcessorCount}");
            if (rig.ArchiveRoot is { } root && Directory.Exists(root))
            {
                var bytes = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
                Console.Out.WriteLine(string.Create(inv, $"archive: {rig.Archived} records, {bytes / 1e6:F0} MB written in {root} (not deleted: remove it when done)"));
            }

            return 0;
        });
        return command;
    }

    private static int[] GcCounts() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    // Real alerts as the sources read them (Avro files, Kafka dumps, Parquet, tarballs); problem items and messages
    // the broker's decoder cannot read without a registry (Confluent-framed with an unknown schema id) are left out:
    // a bench of the pipeline's throughput wants alerts, not dead letters.
    private static List<byte[]> RealNight(string paths)
    {
        var decoder = new Broker.Alerts.Decoding.AlertDecoder();
        var night = new List<byte[]>();
        var left = 0;
        foreach (var item in Broker.Archive.AlertSources.Open(paths.Split(',', StringSplitOptions.RemoveEmptyEntries)).Read())
        {
            try
            {
                if (item.Message is { } message && decoder.Decode(message).Count > 0)
                {
                    night.Add(message);
                    continue;
                }
            }
            catch (Broker.Alerts.Decoding.AlertDecodeException)
            {
                // counted below
            }

            left++;
        }

        if (left > 0)
        {
            Console.Error.WriteLine($"bench e2e: {left} items of {paths} left out (not alerts this decoder reads on its own)");
        }

        return night;
    }
}
