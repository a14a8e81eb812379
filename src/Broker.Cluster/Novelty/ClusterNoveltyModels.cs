// The pipeline's novelty models in a silo: it scores with each survey's latest snapshot from the cluster's
// NoveltyModelGrain and sends it what it scored, in batches, from one background loop (never on an alert's path).
// Every silo therefore scores with the same versioned model, within one sync interval of each other.
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Engine.Shared;
using Broker.Features.Catalog;
using Broker.Novelty.Snapshots;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Broker.Cluster.Novelty;

public sealed partial class ClusterNoveltyModels : INoveltyModels, IAsyncDisposable
{
    /// <summary>Samples held per survey while the grain cannot be reached; beyond it the oldest are dropped (counted).</summary>
    public const int MaxPending = 50_000;

    private readonly IGrainFactory _grains;
    private readonly ILogger _log;
    private readonly TimeSpan _interval;
    private readonly NoveltySnapshot?[] _current = new NoveltySnapshot?[Enum.GetValues<Survey>().Length];
    private readonly Queue<float[]>[] _pending = [.. Enum.GetValues<Survey>().Select(_ => new Queue<float[]>())];
    private PeriodicWork? _syncs;
    private long _dropped;

    public ClusterNoveltyModels(IGrainFactory grains, ILogger log, TimeSpan interval)
    {
        _grains = grains ?? throw new ArgumentNullException(nameof(grains));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _interval = interval;
    }

    /// <summary>Starts the background sync (once the silo is up).</summary>
    public void Start() => _syncs = new PeriodicWork(_interval, SyncAsync, e => LogSyncFailed(_log, e.Message));

    /// <summary>Samples dropped because the model grain could not be reached in time.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public NoveltySnapshot? Current(Survey survey) => Volatile.Read(ref _current[(int)survey]);

    public void Learn(Survey survey, float[] features)
    {
        var pending = _pending[(int)survey];
        lock (pending)
        {
            pending.Enqueue(features);
            if (pending.Count > MaxPending)
            {
                pending.Dequeue(); // the oldest: O(1), where a list's RemoveAt(0) moved 50,000 entries per sample
                CountDrop();
            }
        }
    }

    /// <summary>Sends what is pending and fetches newer snapshots now (the loop does it every interval).</summary>
    public async Task SyncAsync(CancellationToken cancel)
    {
        foreach (var survey in Enum.GetValues<Survey>())
        {
            var grain = _grains.GetGrain<INoveltyModelGrain>(AnnotationEncoder.SurveyName(survey));
            var batch = Take(survey);
            if (batch.Length > 0)
            {
                try
                {
                    await grain.Learn(new Immutable<float[]>(batch)).WaitAsync(cancel).ConfigureAwait(false);
                }
                catch (Exception e) when (TransientRetry.IsTransient(e))
                {
                    Requeue(survey, batch);
                    throw;
                }
            }

            var known = Current(survey)?.Id;
            if (await grain.Latest(known).WaitAsync(cancel).ConfigureAwait(false) is { } message)
            {
                Volatile.Write(ref _current[(int)survey], message.Load());
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_syncs is not null)
        {
            await _syncs.DisposeAsync().ConfigureAwait(false);
        }
    }

    private float[] Take(Survey survey)
    {
        var pending = _pending[(int)survey];
        lock (pending)
        {
            var width = FeatureCatalog.Count;
            var batch = new float[pending.Count * width];
            var i = 0;
            while (pending.TryDequeue(out var vector))
            {
                vector.CopyTo(batch, i++ * width);
            }

            return batch;
        }
    }

    private void Requeue(Survey survey, float[] batch)
    {
        var pending = _pending[(int)survey];
        var width = FeatureCatalog.Count;
        lock (pending)
        {
            // The batch goes back before what arrived since, the oldest dropped beyond the cap.
            var back = new Queue<float[]>(batch.Length / width + pending.Count);
            for (var offset = 0; offset < batch.Length; offset += width)
            {
                back.Enqueue(batch.AsSpan(offset, width).ToArray());
            }

            while (pending.TryDequeue(out var later))
            {
                back.Enqueue(later);
            }

            while (back.Count > MaxPending)
            {
                back.Dequeue();
                CountDrop();
            }

            while (back.TryDequeue(out var kept))
            {
                pending.Enqueue(kept);
            }
        }
    }

    // Counted, and said once per run of drops (the grain unreachable for longer than MaxPending samples take).
    private void CountDrop()
    {
        if (Interlocked.Increment(ref _dropped) % MaxPending == 1)
        {
            LogDropping(_log, MaxPending, Dropped);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Novelty: the model grain has been unreachable for more than {Max} samples of a survey; the oldest are dropped from its learning ({Dropped} so far; scoring goes on with the last snapshot; /health novelty_samples_dropped)")]
    private static partial void LogDropping(ILogger log, int max, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Novelty sync with the cluster failed ({Error}); retrying at the next interval")]
    private static partial void LogSyncFailed(ILogger log, string error);
}
