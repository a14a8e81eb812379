// The scored side of `broker replay`: builds the engine (the configuration's models and filters, or for --exact the
// models an archived night names, found by id under models/), runs ScoredReplay into a new archive run with
// progress every second, and prints what a researcher asks first: per night the counts, filter matches, score
// summary and the most novel alerts; for --exact how many annotations came out identical; for --compare what the
// current models changed. Ends with one key=value line.
using System.Diagnostics;
using System.Globalization;
using Broker.Alerts.Model;
using Broker.Archive;
using Broker.Archive.Replay;
using Broker.Cli.Hosting;
using Broker.Cluster.Hosting;
using Broker.Engine;
using Broker.Engine.Annotation;
using Broker.Filters;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Microsoft.Extensions.Logging;

namespace Broker.Cli.Commands.Pipeline;

internal static class ScoredReplayRun
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The configuration a replay scores with: the file's, or the shipped models and deploy/filters.</summary>
    public static BrokerOptions Options(string? configPath)
    {
        var options = configPath is not null ? BrokerOptions.Load(configPath) : new BrokerOptions
        {
            Models = new ModelOptions { Rb = RepoPaths.Resolve("models/rb"), Cnn = RepoPaths.Resolve("models/cnn-int8") },
            FilterDirectory = Directory.Exists(RepoPaths.Resolve("deploy/filters")) ? RepoPaths.Resolve("deploy/filters") : null,
        };
        return options with { Schemas = options.Schemas with { OutputDirectory = Path.Combine(Path.GetTempPath(), "broker-replay-schemas") } };
    }

    public static async Task<int> RunAsync(IEnumerable<ReplayItem> items, long? total, BrokerOptions options, ReplayMode mode,
        (string Root, string Survey, string Night)? archived, double? speed, bool currentFilters, string outDir, CancellationToken cancel)
    {
        if (mode == ReplayMode.Exact)
        {
            var first = items.First().Recorded!.Annotation;
            try
            {
                options = options with { Models = new ModelOptions { Rb = ModelById(first.RbModel), Cnn = first.CnnModel is { } cnn ? ModelById(cnn) : null } };
            }
            catch (ArchiveException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
        }

        using var logs = PipelineHost.Logging(json: false, LogLevel.Warning);
        var log = logs.CreateLogger("replay");
        await using var engine = ConfiguredEngine.Create(options, withFilterFolder: true);

        Console.Out.WriteLine($"replay: {(mode == ReplayMode.Score ? "scoring" : mode == ReplayMode.Exact ? "reproducing (recorded models and snapshots)" : "re-scoring with the current models")}" +
            $"; rb {engine.RbModelId}, cnn {engine.CnnModelId ?? "none"}; {engine.Filters.Filters.Count} filters; archive run {Path.GetFullPath(outDir)}");
        var summary = new ReplayReport(Broker.Cluster.Nights.NightReporter.LikelyReal);
        var counts = new ReplayCounts();
        var clock = Stopwatch.StartNew();
        using var stopProgress = new CancellationTokenSource();
        var progress = Task.Run(async () =>
        {
            while (!stopProgress.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(1000, stopProgress.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var rateNow = counts.In / clock.Elapsed.TotalSeconds;
                var eta = total is { } all && rateNow > 0 ? string.Create(Inv, $"  ETA {(all - counts.In) / rateNow,5:F0} s") : string.Empty;
                Console.Out.WriteLine(string.Create(Inv,
                    $"  {clock.Elapsed.TotalSeconds,5:F0} s  in {counts.In,7}{(total is { } n ? $" of {n}" : string.Empty)}  annotated {counts.Annotated,7}  dead-lettered {counts.DeadLettered,5}  {rateNow,6:F0} alerts/s{eta}"));
            }
        }, CancellationToken.None);

        var archive = new NightArchive(new ArchiveOptions { Directory = outDir, Writer = "replay", Codec = options.Archive.Codec, WaitForSpace = false }, log) { Filters = engine.Filters };
        try
        {
            await ScoredReplay.RunAsync(engine, items, archive, new ScoredReplayOptions
            {
                Exact = mode == ReplayMode.Exact,
                Speed = speed,
                Snapshots = archived is { } a ? ScoredReplay.ArchiveSnapshots(a.Root) : null,
                RecordedFilters = !currentFilters,
            }, summary.Add, counts, cancel);
        }
        catch (Exception e) when (e is ArchiveException or IOException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message} ({counts.Annotated} alerts annotated before it)");
            return 2;
        }
        finally
        {
            await archive.DisposeAsync();
            await stopProgress.CancelAsync();
            await progress;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        summary.Print(Console.Out, counts, mode);
        Console.Out.WriteLine($"archive run: {Path.GetFullPath(outDir)}  (index: read_parquet('{Path.GetFullPath(outDir)}/<survey>/<night>/*.parquet'))");
        var differing = mode == ReplayMode.Exact ? summary.Differing : 0;
        Console.Out.WriteLine(string.Create(Inv,
            $"replay=done in={counts.In} annotated={counts.Annotated} dead_lettered={counts.DeadLettered} archived={archive.Stored} seconds={seconds:F1} rate_per_s={counts.Annotated / Math.Max(seconds, 1e-3):F0}")
            + (mode == ReplayMode.Exact ? $" identical={summary.Identical} differing={differing}" : string.Empty));
        return counts.Annotated == 0 || differing > 0 ? 1 : 0;
    }

    /// <summary>The folder under models/ whose card has this id.</summary>
    private static string ModelById(string id)
    {
        var models = RepoPaths.Resolve("models");
        foreach (var dir in Directory.Exists(models) ? Directory.EnumerateDirectories(models) : [])
        {
            var card = Path.Combine(dir, "card.json");
            if (File.Exists(card) && Broker.Models.Cards.ModelCard.FromJson(File.ReadAllText(card)).Id == id)
            {
                return dir;
            }
        }

        throw new ArchiveException($"the archived night was scored by model {id}, which is not under {Path.GetFullPath(models)}: an exact replay needs it (--compare scores with the current models).");
    }
}
