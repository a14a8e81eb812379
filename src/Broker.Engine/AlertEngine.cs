// The broker's work on alerts, without Kafka: decode a message's bytes into alerts; for each, ask the object ledger
// (while the alert is scored), score it (features, trees, CNN through the shared micro-batcher, stacked score,
// novelty), route it through the filters in force, and encode its outputs (the annotated alert, one payload per
// matched subscription). Built from one bundle of served models. The Kafka runner (Broker.Pipeline's
// BrokerPipeline) wraps it with consumption, delivery accounting and offsets; replays, `broker filter test`, the
// playground and the tests call it directly. Thread-safe: many lanes call it at once.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Engine.Metrics;
using Broker.Engine.Routing;
using Broker.Engine.Scoring;
using Broker.Engine.Shared;
using Broker.Models.Cnn;

namespace Broker.Engine;

public sealed class AlertEngine : IAsyncDisposable
{
    private readonly ServedModels _models;
    private readonly CnnBatcher? _cnn;
    private readonly AlertScorer _scorer;
    private readonly AlertDecoder _decoder;
    private readonly OutputFormat _format;
    private readonly IObjectLedger? _objects;
    private readonly IEngineHealth? _health;
    private readonly BrokerMetrics _metrics;
    private readonly bool _ownsMetrics;
    private int _objectsFailing; // 1 while the object ledger fails

    private AlertEngine(EngineOptions options, EngineServices services, ServedModels models)
    {
        _models = models;
        _objects = services.Objects;
        _health = services.Health;
        _ownsMetrics = services.Metrics is null;
        _metrics = services.Metrics ?? new BrokerMetrics();
        _decoder = new AlertDecoder(options.AlertSchemas);
        _format = new OutputFormat(options.OutputSchemaDirectory);
        if (models.Cnn is { } cnn)
        {
            _cnn = new CnnBatcher(cnn, new CnnBatcherOptions { MaxBatch = options.CnnMaxBatch, MaxWait = options.CnnMaxWait });
            _metrics.ObserveCnnBatches(() => _cnn.BatchSizes.Select((n, size) => new Measurement<long>(n, new KeyValuePair<string, object?>("size", size))).Where(m => m.Value > 0));
        }

        _scorer = new AlertScorer(models.Trees, _cnn, models.CnnModelId, models.Combined, services.Novelty ?? new LocalNoveltyModels(options.NoveltySeed), _metrics)
        {
            LearnMinReal = (float)options.NoveltyLearnMinReal,
        };
        LearnMinReal = options.NoveltyLearnMinReal;
    }

    /// <summary>The subscriptions in force; replace them at any time (a lane always sees one whole set).</summary>
    public FilterSet Filters { get; } = new();

    /// <summary>The novelty models per survey (the snapshot that scored an alert is named in its annotation).</summary>
    public INoveltyModels Novelty => _scorer.Novelty;

    /// <summary>Alerts less likely real than this are scored for novelty but not learned from.</summary>
    public double LearnMinReal { get; }

    /// <summary>The served models (trees, CNN, stack) this engine scores with.</summary>
    public ServedModels Models => _models;

    public string RbModelId => _models.RbModelId;

    public string? CnnModelId => _models.CnnModelId;

    /// <summary>Loads the models and prepares the stages.</summary>
    public static AlertEngine Create(EngineOptions options, EngineServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CnnMaxBatch is < 1 or > CnnModel.MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"CnnMaxBatch is 1..{CnnModel.MaxBatch}.");
        }

        var models = ServedModels.Load(options.RbModel, options.CnnModel);
        try
        {
            return new AlertEngine(options, services ?? new EngineServices(), models);
        }
        catch
        {
            models.Dispose();
            throw;
        }
    }

    /// <summary>The alerts of one message (a container file holds one or more; a framed body one).</summary>
    /// <exception cref="AlertDecodeException">Why the bytes are not an alert (a tombstone, an empty file, bad Avro, an unknown schema).</exception>
    public IReadOnlyList<Alert> Decode(byte[]? value)
    {
        var alerts = value is null
            ? throw new AlertDecodeException(DecodeStage.Envelope, "the message has no value (a tombstone)", 0)
            : _decoder.Decode(value);
        return alerts.Count == 0
            ? throw new AlertDecodeException(DecodeStage.Alert, "the container file holds no alert records")
            : alerts;
    }

    /// <summary>Scores one alert as the live stream does (the current novelty snapshot, then the models learn from it).</summary>
    public ValueTask<AlertAnnotation> AnnotateAsync(Alert alert, SourcePosition source, CancellationToken cancel) =>
        _scorer.ScoreAsync(alert, source, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), cancel);

    /// <summary>Scores one alert with the novelty snapshot <paramref name="novelty"/> says (replays: recorded, or learned in input order).</summary>
    public ValueTask<AlertAnnotation> AnnotateAsync(Alert alert, SourcePosition source, long ingestTimeMs, NoveltyUse novelty, CancellationToken cancel) =>
        _scorer.ScoreAsync(alert, source, ingestTimeMs, novelty, cancel);

    /// <summary>
    /// The whole work on one live alert: its object's ledger asked while it is scored (and held and retried while
    /// the ledger fails: the ledger is infrastructure, the alert is not at fault), then routed through
    /// <see cref="Filters"/>. A re-delivered alert (published before a crash or rebalance) matches no filter, so no
    /// subscriber gets it twice.
    /// </summary>
    public async ValueTask<RoutedAlert> ProcessAsync(Alert alert, SourcePosition source, long ingestTimeMs, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var visit = _objects?.VisitAsync(alert, cancel);
        var annotation = await _scorer.ScoreAsync(alert, source, ingestTimeMs, cancel).ConfigureAwait(false);
        if (visit is { } pending)
        {
            var objectStart = Stopwatch.GetTimestamp();
            var known = await VisitHoldingAsync(alert, pending, cancel).ConfigureAwait(false);
            annotation.Object = known.History;
            annotation.Redelivered = known.Redelivered;
            _metrics.StageLatency.Record(Stopwatch.GetElapsedTime(objectStart).TotalMilliseconds, BrokerMetrics.Stage("object"));
        }

        IReadOnlyList<IAlertFilter> matched = annotation.Redelivered ? [] : Filters.Match(alert, annotation);
        annotation.Filters = [.. matched.Select(f => f.Name)];
        return new RoutedAlert(alert, annotation, matched);
    }

    /// <summary>
    /// Scores and encodes <paramref name="messages"/> <paramref name="repeats"/> times with the models in force, so the
    /// first live alerts do not wait for the JIT (tiered compilation is off: each method is compiled optimised on its
    /// first call), ONNX Runtime's first runs and the encoders' first schemas. Learns nothing (novelty's current
    /// snapshot only), asks no object ledger, routes and publishes nothing; the stage latencies are recorded as any
    /// scoring's. Returns the alerts scored.
    /// </summary>
    public async Task<int> WarmUpAsync(IEnumerable<byte[]> messages, int repeats, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var scored = 0;
        foreach (var message in messages)
        {
            foreach (var alert in Decode(message))
            {
                for (var i = 0; i < repeats; i++)
                {
                    var annotation = await _scorer.ScoreAsync(alert, new SourcePosition("warm-up", 0, 0), 0, NoveltyUse.CurrentOnly, cancel).ConfigureAwait(false);
                    _ = Encode(Payload.Full, alert, annotation, 0);
                    _ = Encode(Payload.Light, alert, annotation, 0);
                    scored++;
                }
            }
        }

        return scored;
    }

    /// <summary>Tells the object ledger that every output of <paramref name="alert"/> is stored (a re-delivery is then recognised).</summary>
    public ValueTask PublishedAsync(Alert alert, CancellationToken cancel) =>
        _objects is { } objects ? objects.PublishedAsync(alert, cancel) : ValueTask.CompletedTask;

    /// <summary>True when an object ledger is in use (re-deliveries are recognised).</summary>
    public bool HasObjectLedger => _objects is not null;

    /// <summary>Exercises the object ledger's call path once, recording nothing (see <see cref="IObjectLedger.WarmUpAsync"/>).</summary>
    public ValueTask WarmUpLedgerAsync(CancellationToken cancel) => _objects?.WarmUpAsync(cancel) ?? ValueTask.CompletedTask;

    /// <summary>The alert with its annotation in <paramref name="payload"/>'s form, published at <paramref name="publishTimeMs"/>.</summary>
    public byte[] Encode(Payload payload, Alert alert, AlertAnnotation annotation, long publishTimeMs)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return _format.Encode(payload, alert, annotation, publishTimeMs);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cnn is not null)
        {
            await _cnn.DisposeAsync().ConfigureAwait(false);
        }

        _models.Dispose();
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    private async Task<ObjectVisit> VisitHoldingAsync(Alert alert, ValueTask<ObjectVisit> first, CancellationToken cancel)
    {
        var attempt = first;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var known = await attempt.ConfigureAwait(false);
                if (Volatile.Read(ref _objectsFailing) != 0 && Interlocked.Exchange(ref _objectsFailing, 0) != 0)
                {
                    _health?.Recovered("objects");
                }

                return known;
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancel.IsCancellationRequested))
            {
                var outageStarts = Interlocked.Exchange(ref _objectsFailing, 1) == 0;
                _health?.Failing("objects", $"the object ledger fails ({e.GetType().Name}: {e.Message}); alerts wait for it, none is dead-lettered for it", e, outageStarts);
                await Task.Delay(delay, cancel).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
                attempt = _objects!.VisitAsync(alert, cancel);
            }
        }
    }
}

/// <summary>One alert scored and routed: its annotation (with the filters it matched named) and those filters, in set order.</summary>
public sealed record RoutedAlert(Alert Alert, AlertAnnotation Annotation, IReadOnlyList<IAlertFilter> Matched);
