// `broker bench ...`: measured throughput of the broker's stages on this machine. Each run ends with one
// machine-readable line of key=value pairs. Results are recorded in docs/performance.md.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Alerts.Decoding;

namespace Broker.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the throughput of a stage on this machine.");
        bench.Subcommands.Add(Decode());
        bench.Subcommands.Add(SourceBench.Create());
        bench.Subcommands.Add(Score());
        bench.Subcommands.Add(Cnn.CnnBench.Create());
        bench.Subcommands.Add(Novelty.NoveltyBench.Create());
        bench.Subcommands.Add(Pipeline.E2eBench.Create());
        bench.Subcommands.Add(Pipeline.SoakBench.Create());
        bench.Subcommands.Add(Filters.FilterBench.Create());
        bench.Subcommands.Add(Cluster.ObjectsBench.Create());
        return bench;
    }

    /// <summary>The decodable alerts of a folder that carry a FITS difference cutout (what the scoring benches run on).</summary>
    internal static List<Broker.Alerts.Model.Alert> AlertsWithCutouts(DirectoryInfo folder)
    {
        var decoder = new AlertDecoder();
        var alerts = new List<Broker.Alerts.Model.Alert>();
        foreach (var (_, decoded) in Broker.Archive.AlertSources.Open([folder.FullName]).Alerts(decoder))
        {
            alerts.AddRange(decoded.Where(a => a.Difference.Status == Broker.Alerts.Model.CutoutStatus.Fits));
        }

        return alerts;
    }

    private static Command Score()
    {
        var input = new Argument<DirectoryInfo>("alerts") { Description = "Folder of alert files (*.avro), searched recursively." };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure each stage.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "Alerts per real/bogus batch.", DefaultValueFactory = _ => 64 };
        var modelDir = new Option<string>("--model") { Description = "Real/bogus model directory.", DefaultValueFactory = _ => "models/rb" };
        var command = new Command("score", "Feature extraction and real/bogus scoring of decoded alerts, in alerts per second on one core.")
        {
            input, seconds, batch, modelDir,
        };
        command.SetAction(parse =>
        {
            var alerts = AlertsWithCutouts(parse.GetValue(input)!);
            if (alerts.Count == 0)
            {
                Console.Error.WriteLine("error: no decodable alerts with FITS cutouts in that folder");
                return 2;
            }

            using var model = Broker.Models.RealBogus.RealBogusModel.Load(Hosting.RepoPaths.Resolve(parse.GetValue(modelDir)!));
            var size = Math.Max(1, parse.GetValue(batch));
            var width = Broker.Features.Catalog.FeatureCatalog.Count;
            var vectors = new float[size * width];
            var scores = new float[size];
            var limit = TimeSpan.FromSeconds(parse.GetValue(seconds));
            var inv = CultureInfo.InvariantCulture;

            // Stage 1: features only. Stage 2: features + batched real/bogus. Both after a 1 s warm-up.
            (double Rate, double Alloc) Measure(bool score)
            {
                var index = 0;
                void Run(TimeSpan duration, ref long count)
                {
                    var clock = Stopwatch.StartNew();
                    while (clock.Elapsed < duration)
                    {
                        for (var b = 0; b < size; b++)
                        {
                            Broker.Features.AlertFeatures.Extract(alerts[index++ % alerts.Count], vectors.AsSpan(b * width, width));
                        }

                        if (score)
                        {
                            model.Score(vectors, size, scores);
                        }

                        count += size;
                    }
                }

                long warm = 0, measured = 0;
                Run(TimeSpan.FromSeconds(1), ref warm);
                var before = GC.GetAllocatedBytesForCurrentThread();
                var timer = Stopwatch.StartNew();
                Run(limit, ref measured);
                return (measured / timer.Elapsed.TotalSeconds, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)measured);
            }

            var features = Measure(false);
            var both = Measure(true);
            var rbOnly = 1e6 / both.Rate - 1e6 / features.Rate;

            // Stage 3: the trees alone on every alert's precomputed vector, in batches of N (the difference above moves
            // by several us between runs; this does not).
            var all = new float[alerts.Count * width];
            for (var i = 0; i < alerts.Count; i++)
            {
                Broker.Features.AlertFeatures.Extract(alerts[i], all.AsSpan(i * width, width));
            }

            var allScores = new float[alerts.Count];
            double TreesRate(TimeSpan duration)
            {
                long scored = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < duration)
                {
                    for (var start = 0; start < alerts.Count; start += size)
                    {
                        var n = Math.Min(size, alerts.Count - start);
                        model.Score(all.AsSpan(start * width, n * width), n, allScores.AsSpan(start, n));
                    }

                    scored += alerts.Count;
                }

                return scored / clock.Elapsed.TotalSeconds;
            }

            TreesRate(TimeSpan.FromSeconds(1));
            var treesDirect = 1e6 / TreesRate(limit);
            Console.Out.WriteLine(string.Create(inv, $"{alerts.Count} alerts with cutouts, batch {size}, model {model.Id}"));
            Console.Out.WriteLine(string.Create(inv, $"features: {features.Rate:F0} alerts/s ({1e6 / features.Rate:F1} us/alert, {features.Alloc / 1024:F2} KiB allocated/alert)"));
            Console.Out.WriteLine(string.Create(inv, $"features + real/bogus: {both.Rate:F0} alerts/s ({1e6 / both.Rate:F1} us/alert; trees ~{rbOnly:F1} us/alert)"));
            Console.Out.WriteLine(string.Create(inv, $"trees alone on precomputed vectors: {treesDirect:F1} us/alert"));
            Console.Out.WriteLine(string.Create(inv,
                $"bench=score features_per_s={features.Rate:F0} features_rb_per_s={both.Rate:F0} us_features={1e6 / features.Rate:F1} us_rb={rbOnly:F1} us_trees_direct={treesDirect:F1} kib_alloc_per_alert={both.Alloc / 1024:F2} batch={size} alerts={alerts.Count}"));
            return 0;
        });
        return command;
    }

    private static Command Decode()
    {
        var input = new Argument<DirectoryInfo>("alerts") { Description = "Folder of alert files (*.avro), searched recursively." };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure.", DefaultValueFactory = _ => 10 };
        var cutouts = new Option<bool>("--no-cutouts") { Description = "Skip cutout decompression and FITS decoding." };
        var command = new Command("decode", "Alert decoding (Avro + cutout gunzip + FITS) in alerts per second on one core.")
        {
            input, seconds, cutouts,
        };
        command.SetAction(parse =>
        {
            var decoder = new AlertDecoder(decodeCutouts: !parse.GetValue(cutouts));
            var messages = new List<byte[]>();
            foreach (var bytes in Broker.Archive.AlertSources.Open([parse.GetValue(input)!.FullName]).Read().Where(i => i.Message is not null).Select(i => i.Message!))
            {
                try
                {
                    decoder.Decode(bytes); // keep only what decodes: the bench measures the good path
                    messages.Add(bytes);
                }
                catch (AlertDecodeException)
                {
                }
            }

            if (messages.Count == 0)
            {
                Console.Error.WriteLine("error: no decodable alert files in that folder");
                return 2;
            }

            // Warm up (JIT, schema cache), then measure on this one thread.
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed < TimeSpan.FromSeconds(1))
            {
                foreach (var m in messages)
                {
                    decoder.Decode(m);
                }
            }

            var limit = TimeSpan.FromSeconds(parse.GetValue(seconds));
            long alerts = 0, bytesIn = 0;
            var gcBefore = GC.CollectionCount(0);
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < limit)
            {
                foreach (var m in messages)
                {
                    alerts += decoder.Decode(m).Count;
                    bytesIn += m.Length;
                }
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            var rate = alerts / elapsed;
            var inv = CultureInfo.InvariantCulture;
            Console.Out.WriteLine(string.Create(inv, $"{messages.Count} distinct messages, {alerts} alerts decoded in {elapsed:F1} s on one thread ({cpu:F1} s CPU)"));
            Console.Out.WriteLine(string.Create(inv, $"{rate:F0} alerts/s, {bytesIn / elapsed / 1e6:F1} MB/s in, {1e6 / rate:F1} us/alert, {allocated / (double)alerts / 1024:F1} KiB allocated/alert, {GC.CollectionCount(0) - gcBefore} gen0 GCs"));
            Console.Out.WriteLine(string.Create(inv,
                $"bench=decode cutouts={(!parse.GetValue(cutouts)).ToString().ToLowerInvariant()} alerts_per_s={rate:F0} us_per_alert={1e6 / rate:F1} kib_alloc_per_alert={allocated / (double)alerts / 1024:F1} messages={messages.Count} seconds={elapsed:F1}"));
            return 0;
        });
        return command;
    }
}
