// The scoring stages for one decoded alert, in order: cutout stamps (prepared once) -> features -> real/bogus
// trees -> CNN (through the shared micro-batcher, awaited) -> stacked score -> novelty (score with the current
// snapshot of the alert's survey, then hand the features to that survey's model to learn from). Thread-safe: many
// lanes call ScoreAsync at once; INoveltyModels decides how learning is shared (a lock in one process, a grain in
// the cluster).
using System.Buffers;
using System.Diagnostics;
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Engine.Metrics;
using Broker.Engine.Shared;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Features.Stamps;
using Broker.Models.Cnn;
using Broker.Models.RealBogus;
using Broker.Novelty;
using Broker.Novelty.Snapshots;

namespace Broker.Engine.Scoring;

public sealed class AlertScorer
{
    private static readonly string[] FeatureNames = FeatureCatalog.Names;
    private readonly RealBogusModel _rb;
    private readonly CnnBatcher? _cnn;
    private readonly string? _cnnModel;
    private readonly CombinedScore? _combined;
    private readonly INoveltyModels _novelty;
    private readonly BrokerMetrics _metrics;

    public AlertScorer(RealBogusModel rb, CnnBatcher? cnn, string? cnnModelId, CombinedScore? combined, INoveltyModels novelty, BrokerMetrics metrics)
    {
        _rb = rb ?? throw new ArgumentNullException(nameof(rb));
        _cnn = cnn;
        _cnnModel = cnnModelId;
        _combined = combined;
        _novelty = novelty ?? throw new ArgumentNullException(nameof(novelty));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
    }

    public INoveltyModels Novelty => _novelty;

    /// <summary>Alerts less likely real than this (rb_combined, else rb) are scored for novelty but not learned from.</summary>
    public float LearnMinReal { get; init; }

    /// <summary>How likely real the broker judges an alert: the stacked score when the CNN scored it, else the trees'.</summary>
    public static float RealScore(AlertAnnotation annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        return annotation.RbCombined ?? annotation.Rb;
    }

    /// <summary>True when the novelty models should learn from this alert (<see cref="LearnMinReal"/>).</summary>
    public static bool Teaches(AlertAnnotation annotation, float learnMinReal) => RealScore(annotation) >= learnMinReal;

    public ValueTask<AlertAnnotation> ScoreAsync(Alert alert, SourcePosition source, long ingestTimeMs, CancellationToken cancel) =>
        ScoreAsync(alert, source, ingestTimeMs, NoveltyUse.Live, cancel);

    /// <summary>Scores with the novelty snapshot <paramref name="novelty"/> says (a replay pins the recorded one).</summary>
    public async ValueTask<AlertAnnotation> ScoreAsync(Alert alert, SourcePosition source, long ingestTimeMs, NoveltyUse novelty, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var features = new float[FeatureCatalog.Count];
        float rb;
        ValueTask<float>? cnnPending = null;
        var start = Stopwatch.GetTimestamp();
        using (var stamps = TripletStamps.Prepare(alert))
        {
            AlertFeatures.Extract(alert, stamps, features);
            var featuresDone = Stopwatch.GetTimestamp();
            _metrics.StageLatency.Record(Stopwatch.GetElapsedTime(start, featuresDone).TotalMilliseconds, BrokerMetrics.Stage("features"));
            rb = _rb.Score(features);
            _metrics.StageLatency.Record(Stopwatch.GetElapsedTime(featuresDone).TotalMilliseconds, BrokerMetrics.Stage("rb"));
            if (_cnn is not null && stamps.Difference is not null)
            {
                var tensor = ArrayPool<float>.Shared.Rent(CutoutTensor.Length);
                try
                {
                    CutoutTensor.Write(stamps.Science, stamps.Template, stamps.Difference, tensor);
                    cnnPending = _cnn.ScoreAsync(tensor.AsSpan(0, CutoutTensor.Length), cancel);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(tensor);
                }
            }
        }

        float? cnn = null;
        if (cnnPending is { } pending)
        {
            var cnnStart = Stopwatch.GetTimestamp();
            cnn = await pending.ConfigureAwait(false);
            _metrics.StageLatency.Record(Stopwatch.GetElapsedTime(cnnStart).TotalMilliseconds, BrokerMetrics.Stage("cnn"));
        }

        var noveltyStart = Stopwatch.GetTimestamp();
        NoveltyAnnotation? noveltyAnnotation = null;
        var snapshot = novelty.Pinned ? novelty.Snapshot : _novelty.Current(alert.Survey);
        if (snapshot is not null)
        {
            var result = new NoveltyResult(snapshot.Subspaces.Count);
            snapshot.Score(features, result);
            noveltyAnnotation = NoveltyAnnotation.From(snapshot, result, FeatureNames);
        }

        var combinedScore = cnn is { } c && _combined is not null ? _combined.Score(alert, rb, c) : (float?)null;
        if (novelty.Learn && (combinedScore ?? rb) >= LearnMinReal)
        {
            _novelty.Learn(alert.Survey, features);
        }

        _metrics.StageLatency.Record(Stopwatch.GetElapsedTime(noveltyStart).TotalMilliseconds, BrokerMetrics.Stage("novelty"));
        return new AlertAnnotation
        {
            Source = source,
            Features = features,
            Rb = rb,
            RbModel = _rb.Id,
            Cnn = cnn,
            CnnModel = cnn.HasValue ? _cnnModel : null,
            RbCombined = combinedScore,
            Novelty = noveltyAnnotation,
            NoveltySnapshot = snapshot,
            IngestTimeMs = ingestTimeMs,
        };
    }
}

/// <summary>Which novelty snapshot scores an alert, and whether the models learn from it.</summary>
/// <param name="Pinned">True: <paramref name="Snapshot"/> scores (null: no novelty, as while warming up); false: the survey's current one.</param>
public readonly record struct NoveltyUse(bool Pinned, NoveltySnapshot? Snapshot, bool Learn)
{
    /// <summary>The live stream: the current snapshot scores, then the models learn.</summary>
    public static NoveltyUse Live => new(false, null, true);

    /// <summary>The current snapshot scores; the caller feeds the models itself (a replay learns in input order).</summary>
    public static NoveltyUse CurrentOnly => new(false, null, false);

    /// <summary>Exactly the snapshot a recorded annotation names (null: it had none); nothing is learned.</summary>
    public static NoveltyUse Recorded(NoveltySnapshot? snapshot) => new(true, snapshot, false);
}
