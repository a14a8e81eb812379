// A replay straight through the scoring, without Kafka: alert messages (a folder, a ZTF tarball, a Fink export, an
// archived night) are decoded, annotated by the broker's engine (its scorer and filters), and kept in a new archive run.
// Messages go through in windows: every alert of a window is scored at once, on the thread pool's threads (the CNN
// batches them), with the novelty snapshot current at the window's start, then the models learn from them in input
// order, so the same input and seed give the same annotations whatever the timing. The messages are read one thread
// ahead and the next window is decoded while this one is scored; when the source fails, the alerts it gave before
// are scored and stored first. Replaying an archived night exactly pins what it recorded instead: the novelty
// snapshot each annotation names (nothing is learned), and the context that is not a model's (where the message was
// read and when, the object's history, re-delivery) — so the annotations come out equal to the recorded ones. With
// a speed, alerts are held to the night's own timing (detection times) scaled by it.
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Engine;
using Broker.Engine.Annotation;
using Broker.Engine.Routing;
using Broker.Engine.Scoring;
using Broker.Features.Catalog;
using Broker.Filters;
using Broker.Novelty.Snapshots;

namespace Broker.Archive.Replay;

/// <summary>
/// One message to replay, with what was published for it and the subscriptions then in force when it comes from an
/// archive.
/// </summary>
public sealed record ReplayItem(string Name, byte[] Message, RecordedAnnotation? Recorded = null, IReadOnlyList<FilterDefinition>? RecordedFilters = null);

/// <summary>One alert as the replay annotated it (and as it was recorded, when it came from an archive).</summary>
public sealed record ReplayedAlert(string Name, Alert Alert, AlertAnnotation Annotation, RecordedAnnotation? Recorded);

public sealed record ScoredReplayOptions
{
    /// <summary>Pin what each archived annotation recorded (snapshot and context); needs items with Recorded.</summary>
    public bool Exact { get; init; }

    /// <summary>The night's own timing divided by this (10 = ten times faster); null or 0: as fast as possible.</summary>
    public double? Speed { get; init; }

    /// <summary>Messages decoded and scored at once between two learning steps.</summary>
    public int Window { get; init; } = 32;

    /// <summary>The snapshots an exact replay pins, by survey and id (an archive's snapshots folder).</summary>
    public Func<Survey, string, NoveltySnapshot>? Snapshots { get; init; }

    /// <summary>
    /// An archived alert is matched with the subscriptions its archive file recorded (true), or with the pipeline's
    /// (false: what the current filters would have matched).
    /// </summary>
    public bool RecordedFilters { get; init; } = true;
}

/// <summary>Progress and totals of a replay.</summary>
public sealed class ReplayCounts
{
    private long _in;
    private long _annotated;
    private long _deadLettered;

    public long In => Interlocked.Read(ref _in);

    public long Annotated => Interlocked.Read(ref _annotated);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    public List<(string Name, string Stage, string Reason)> DeadLetters { get; } = [];

    internal void AddIn() => Interlocked.Increment(ref _in);

    internal void AddAnnotated() => Interlocked.Increment(ref _annotated);

    internal void AddDeadLetter(string name, string stage, string reason)
    {
        Interlocked.Increment(ref _deadLettered);
        lock (DeadLetters)
        {
            DeadLetters.Add((name, stage, reason));
        }
    }
}

public static class ScoredReplay
{
    /// <summary>
    /// Replays <paramref name="items"/> through <paramref name="engine"/>'s scoring and filters into
    /// <paramref name="archive"/> (null: not kept); <paramref name="observe"/> sees each annotated alert in input order.
    /// </summary>
    public static async Task<ReplayCounts> RunAsync(AlertEngine engine, IEnumerable<ReplayItem> items, NightArchive? archive,
        ScoredReplayOptions options, Action<ReplayedAlert>? observe, ReplayCounts? counts, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);
        counts ??= new ReplayCounts();
        var clock = Stopwatch.StartNew();
        double? firstMjd = null;
        var stores = new List<Task>();
        var alerts = new List<(ReplayItem Item, Alert Alert)>(options.Window);
        ExceptionDispatchInfo? sourceFailure = null;

        // The messages are read (an archive's records decoded, a Parquet file's rows assembled) on a thread of their
        // own, a few windows ahead; the next window is decoded on the thread pool while this one is scored.
        var ahead = Channel.CreateBounded<ReplayItem>(new BoundedChannelOptions(options.Window * 4) { SingleReader = true, SingleWriter = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var reading = Task.Factory.StartNew(() => Read(items, ahead.Writer, stopReading.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Task<(IReadOnlyList<Alert>? Alerts, AlertDecodeException? Error)[]>? nextDecoded = null;
        try
        {
            var next = await NextWindowAsync(ahead.Reader, options.Window, cancel).ConfigureAwait(false);
            nextDecoded = DecodeAllAsync(engine, next.Items, cancel);
            while (next.Items.Count > 0 && !cancel.IsCancellationRequested)
            {
                var window = next.Items;
                var decoded = await nextDecoded.ConfigureAwait(false);
                sourceFailure ??= next.Failure;
                next = sourceFailure is null ? await NextWindowAsync(ahead.Reader, options.Window, cancel).ConfigureAwait(false) : (new List<ReplayItem>(), null);
                nextDecoded = DecodeAllAsync(engine, next.Items, cancel);

                // A message that does not decode is a dead letter, counted in input order.
                alerts.Clear();
                for (var i = 0; i < window.Count; i++)
                {
                    counts.AddIn();
                    if (decoded[i].Error is { } e)
                    {
                        counts.AddDeadLetter(window[i].Name, "decode." + e.Stage.ToString().ToLowerInvariant(), e.Message);
                        continue;
                    }

                    alerts.AddRange(decoded[i].Alerts!.Select(a => (window[i], a)));
                }

                if (alerts.Count == 0)
                {
                    continue;
                }

                // Every alert of the window scored at once with the novelty models as they are; then they learn, in order.
                firstMjd ??= alerts[0].Alert.Mjd;
                var first = firstMjd.Value;
                var scored = await Task.WhenAll(alerts.Select(w => Task.Run(() => ScoreAsync(engine, w.Item, w.Alert, options, first, clock, counts, cancel), cancel))).ConfigureAwait(false);
                foreach (var replayed in scored)
                {
                    if (replayed is null)
                    {
                        continue;
                    }

                    if (!options.Exact && AlertScorer.Teaches(replayed.Annotation, (float)engine.LearnMinReal))
                    {
                        engine.Novelty.Learn(replayed.Alert.Survey, replayed.Annotation.Features);
                    }

                    counts.AddAnnotated();
                    observe?.Invoke(replayed);
                    if (archive is not null)
                    {
                        stores.Add(archive.StoreAsync(replayed.Alert, replayed.Annotation, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), cancel).AsTask());
                    }
                }

                // Bound what waits for the archive's group commits.
                if (stores.Count > 4096)
                {
                    await Task.WhenAll(stores).ConfigureAwait(false);
                    stores.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Stopped: what was scored is counted and stored below; the rest was never taken.
        }
        finally
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(false);

            // A window decoded ahead and never scored (a stop or a failure) finishes before the caller may dispose the
            // engine; its outcome is not wanted, so WhenAny waits without rethrowing.
            if (nextDecoded is not null)
            {
                await Task.WhenAny(nextDecoded).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(stores).ConfigureAwait(false);
        sourceFailure?.Throw();
        return counts;
    }

    // The reading thread: every item in order into the channel; a failure of the source (an unreadable archive file)
    // completes the channel with it, so the replay's loop throws it where it would have read the next item.
    private static void Read(IEnumerable<ReplayItem> items, ChannelWriter<ReplayItem> writer, CancellationToken stop)
    {
        try
        {
            foreach (var item in items)
            {
                while (!writer.TryWrite(item))
                {
                    if (!writer.WaitToWriteAsync(stop).AsTask().GetAwaiter().GetResult())
                    {
                        return;
                    }
                }
            }

            writer.TryComplete();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            writer.TryComplete();
        }
#pragma warning disable CA1031 // handed to the replay's loop, which rethrows it
        catch (Exception e)
#pragma warning restore CA1031
        {
            writer.TryComplete(e);
        }
    }

    // The next window: always the next Window messages (never what happens to have been read), so the novelty models
    // learn at the same places whatever the timing. A failure of the source ends the window early and is returned,
    // so what the source gave before it is still scored and stored.
    private static async Task<(List<ReplayItem> Items, ExceptionDispatchInfo? Failure)> NextWindowAsync(ChannelReader<ReplayItem> reader, int size, CancellationToken cancel)
    {
        var window = new List<ReplayItem>(size);
        try
        {
            while (window.Count < size && await reader.WaitToReadAsync(cancel).ConfigureAwait(false))
            {
                while (window.Count < size && reader.TryRead(out var item))
                {
                    window.Add(item);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (window, ExceptionDispatchInfo.Capture(e));
        }

        return (window, null);
    }

    private static Task<(IReadOnlyList<Alert>? Alerts, AlertDecodeException? Error)[]> DecodeAllAsync(AlertEngine engine, List<ReplayItem> window, CancellationToken cancel) =>
        Task.WhenAll(window.Select(item => Task.Run(() => Decode(engine, item), cancel)));

    private static (IReadOnlyList<Alert>? Alerts, AlertDecodeException? Error) Decode(AlertEngine engine, ReplayItem item)
    {
        try
        {
            return (engine.Decode(item.Message), null);
        }
        catch (AlertDecodeException e)
        {
            return (null, e);
        }
    }

    private static async Task<ReplayedAlert?> ScoreAsync(AlertEngine engine, ReplayItem item, Alert alert, ScoredReplayOptions options,
        double firstMjd, Stopwatch clock, ReplayCounts counts, CancellationToken cancel)
    {
        if (options.Speed is > 0 and var speed)
        {
            var due = TimeSpan.FromDays((alert.Mjd - firstMjd) / speed) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancel).ConfigureAwait(false);
            }
        }

        try
        {
            AlertAnnotation annotation;
            if (item.Recorded is { } recorded)
            {
                // An archived alert keeps its recorded context (source, ingest time, object history, re-delivery), so
                // what can differ is the models': exactly the recorded ones when exact, the current ones otherwise.
                var novelty = NoveltyUse.CurrentOnly;
                if (options.Exact)
                {
                    novelty = NoveltyUse.Recorded(recorded.Annotation.Novelty is { } n
                        ? (options.Snapshots ?? throw new InvalidOperationException("an exact replay needs the archive's snapshots"))(alert.Survey, n.SnapshotId)
                        : null);
                }

                annotation = await engine.AnnotateAsync(alert, recorded.Annotation.Source, recorded.Annotation.IngestTimeMs, novelty, cancel).ConfigureAwait(false);
                annotation.Object = recorded.Annotation.Object;
                annotation.Redelivered = recorded.Annotation.Redelivered;
            }
            else if (options.Exact)
            {
                throw new InvalidOperationException($"{item.Name}: an exact replay needs the recorded annotation (an archived night).");
            }
            else
            {
                annotation = await engine.AnnotateAsync(alert, new SourcePosition(item.Name, 0, 0), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), NoveltyUse.CurrentOnly, cancel).ConfigureAwait(false);
            }

            var filters = options.RecordedFilters && item.RecordedFilters is { } recordedFilters ? Compiled(recordedFilters) : engine.Filters;
            annotation.Filters = annotation.Redelivered ? [] : [.. filters.Match(alert, annotation).Select(f => f.Name)];
            return new ReplayedAlert(item.Name, alert, annotation, item.Recorded);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return null;
        }
#pragma warning disable CA1031 // one alert's failure is a dead letter, as in the live pipeline
        catch (Exception e)
#pragma warning restore CA1031
        {
            counts.AddDeadLetter(item.Name, e is AlreadyAnnotatedException ? "annotate" : "score", $"{e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<FilterDefinition>, FilterSet> CompiledSets = [];

    // An archive file's recorded subscriptions, compiled once per file (the reader shares one list per file).
    private static FilterSet Compiled(IReadOnlyList<FilterDefinition> definitions) =>
        CompiledSets.GetValue(definitions, d => new FilterSet(d.Select(f => (IAlertFilter)f.Compile())));

    /// <summary>The annotation's bytes with the publish time zeroed: equal bytes mean equal annotations (timestamps aside).</summary>
    public static byte[] Fingerprint(Alert alert, AlertAnnotation annotation)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        AnnotationEncoder.Write(buffer, alert, annotation, 0);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Loads an archive's snapshots by id (cached; throws a clear error when one is missing).</summary>
    public static Func<Survey, string, NoveltySnapshot> ArchiveSnapshots(string root)
    {
        var cache = new System.Collections.Concurrent.ConcurrentDictionary<(Survey, string), Lazy<NoveltySnapshot>>();
        return (survey, id) => cache.GetOrAdd((survey, id), key => new Lazy<NoveltySnapshot>(() =>
        {
            var path = ArchiveLayout.SnapshotPath(root, AnnotationEncoder.SurveyName(key.Item1), key.Item2);
            return File.Exists(path)
                ? SnapshotFile.Load(path, FeatureCatalog.Names)
                : throw new ArchiveException($"{path}: the novelty snapshot {key.Item2} an archived annotation names is not in the archive.");
        })).Value;
    }
}
