// `broker bench cnn DIR`: the cutout CNN's cost on this machine. Preprocessing per alert; the ONNX model alone
// at batch 1, at the batcher's default and at the largest batch (one thread, one intra-op thread); then the
// micro-batcher as the pipeline uses it (concurrent callers, preprocessing on their threads, one runner).
// Ends with one key=value line.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Alerts.Model;
using Broker.Cli.Hosting;
using Broker.Models.Cnn;

namespace Broker.Cli.Commands.Cnn;

internal static class CnnBench
{
    public static Command Create()
    {
        var input = new Argument<DirectoryInfo>("alerts") { Description = "Folder of alert files (*.avro), searched recursively." };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure each stage.", DefaultValueFactory = _ => 5 };
        var modelDir = new Option<string>("--model") { Description = "CNN model directory.", DefaultValueFactory = _ => CnnCommands.ServingModel };
        var callers = new Option<int>("--callers") { Description = "Concurrent callers feeding the batcher.", DefaultValueFactory = _ => 8 };
        var command = new Command("cnn", "CNN scoring of cutout triplets: preprocessing, model at several batch sizes, and the micro-batcher.")
        {
            input, seconds, modelDir, callers,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var alerts = BenchCommand.AlertsWithCutouts(parse.GetValue(input)!);
            if (alerts.Count == 0)
            {
                Console.Error.WriteLine("error: no decodable alerts with FITS cutouts in that folder");
                return 2;
            }

            using var model = CnnModel.Load(RepoPaths.Resolve(parse.GetValue(modelDir)!));
            var limit = TimeSpan.FromSeconds(parse.GetValue(seconds));
            var inv = CultureInfo.InvariantCulture;
            var tensors = new float[alerts.Count * CutoutTensor.Length];
            for (var i = 0; i < alerts.Count; i++)
            {
                CutoutTensor.Write(alerts[i], tensors.AsSpan(i * CutoutTensor.Length, CutoutTensor.Length));
            }

            var preprocess = Preprocess(alerts, limit);
            Console.Out.WriteLine(string.Create(inv, $"{alerts.Count} alerts with cutouts, model {model.Id}"));
            Console.Out.WriteLine(string.Create(inv, $"preprocessing: {1e6 / preprocess.Rate:F1} us/alert, {preprocess.Alloc:F0} B allocated/alert"));
            var defaultBatch = new CnnBatcherOptions().MaxBatch;
            var rates = new Dictionary<int, double>();
            foreach (var batch in new[] { 1, defaultBatch, CnnModel.MaxBatch })
            {
                rates[batch] = ModelRate(model, tensors, alerts.Count, batch, limit);
                Console.Out.WriteLine(string.Create(inv, $"model, batch {batch,2}: {rates[batch]:F0} triplets/s on one thread ({1e6 / rates[batch]:F0} us/triplet)"));
            }

            var (batcherRate, cpuRate, meanBatch) = await BatcherRate(model, alerts, parse.GetValue(callers), limit, cancellationToken);
            Console.Out.WriteLine(string.Create(inv,
                $"batcher ({parse.GetValue(callers)} callers, 1 runner, preprocessing included): {batcherRate:F0} alerts/s wall, {cpuRate:F0} alerts per CPU-second, mean batch {meanBatch:F1}"));
            Console.Out.WriteLine(string.Create(inv,
                $"bench=cnn model={model.Id} batch1_per_s={rates[1]:F0} batch{defaultBatch}_per_s={rates[defaultBatch]:F0} batch{CnnModel.MaxBatch}_per_s={rates[CnnModel.MaxBatch]:F0} " +
                $"us_preprocess={1e6 / preprocess.Rate:F1} batcher_per_s={batcherRate:F0} batcher_per_cpu_s={cpuRate:F0} mean_batch={meanBatch:F1} alerts={alerts.Count}"));
            return 0;
        });
        return command;
    }

    private static (double Rate, double Alloc) Preprocess(List<Alert> alerts, TimeSpan limit)
    {
        var buffer = new float[CutoutTensor.Length];
        long count = 0;
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(0.5))
        {
            CutoutTensor.Write(alerts[(int)(count++ % alerts.Count)], buffer);
        }

        count = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            CutoutTensor.Write(alerts[(int)(count++ % alerts.Count)], buffer);
        }

        return (count / clock.Elapsed.TotalSeconds, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)count);
    }

    private static double ModelRate(CnnModel model, float[] tensors, int available, int batch, TimeSpan limit)
    {
        var input = new float[batch * CutoutTensor.Length];
        for (var i = 0; i < batch; i++)
        {
            tensors.AsSpan((i % available) * CutoutTensor.Length, CutoutTensor.Length).CopyTo(input.AsSpan(i * CutoutTensor.Length));
        }

        var scores = new float[batch];
        for (var i = 0; i < 10; i++)
        {
            model.Score(input, batch, scores);
        }

        long count = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            model.Score(input, batch, scores);
            count += batch;
        }

        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(double Wall, double PerCpu, double MeanBatch)> BatcherRate(
        CnnModel model, List<Alert> alerts, int callers, TimeSpan limit, CancellationToken cancellationToken)
    {
        var batcher = new CnnBatcher(model);
        await using (batcher.ConfigureAwait(false))
        {
            long scored = 0;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var tasks = Enumerable.Range(0, Math.Max(1, callers)).Select(c => Task.Run(async () =>
            {
                for (var i = c; clock.Elapsed < limit && !cancellationToken.IsCancellationRequested; i += callers)
                {
                    await batcher.ScoreAsync(alerts[i % alerts.Count], cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref scored);
                }
            }, cancellationToken)).ToArray();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            var wall = clock.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var sizes = batcher.BatchSizes;
            var batches = sizes.Sum();
            var mean = batches == 0 ? 0 : sizes.Select((c, size) => c * size).Sum() / (double)batches;
            return (scored / wall, scored / cpu, mean);
        }
    }
}
