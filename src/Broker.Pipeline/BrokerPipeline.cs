// The Kafka runner around the engine: one consumer (a member of the configured group) reads the input topics on its
// own thread and hands messages through a bounded channel to N lanes; each lane has the engine (AlertEngine) decode,
// score, route and encode, produces the outputs, and learns of completion through Kafka's delivery reports.
// OffsetTracker turns completions into committable offsets, which only the consumer thread stores; librdkafka
// commits them every second, and the revocation handler and shutdown drain and commit explicitly. So nothing is
// committed before its outputs are stored (at-least-once), a full channel slows consumption instead of dropping,
// and a message that cannot be decoded or scored goes to <prefix>.deadletter with its reason while the stream
// goes on. A delivery failure other than "too large" stops the pipeline without committing: a restart re-reads.
// Beside this file: BrokerPipeline.Offsets.cs (storing and committing offsets, rebalances, the lag gauge),
// BrokerPipeline.Work.cs (one message's work item and outputs), BrokerPipeline.Log.cs (errors and log messages).
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro.Framing;
using Broker.Engine;
using Broker.Engine.Annotation;
using Broker.Engine.Metrics;
using Broker.Engine.Routing;
using Broker.Engine.Scoring;
using Broker.Engine.Shared;
using Broker.Filters;
using Broker.Filters.Language;
using Broker.Kafka;
using Broker.Models.Cnn;
using Broker.Models.RealBogus;
using Broker.Novelty;
using Broker.Pipeline.Configuration;
using Broker.Pipeline.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Pipeline;

public sealed partial class BrokerPipeline : IAsyncDisposable
{
    private readonly PipelineOptions _options;
    private readonly ILogger _log;
    private readonly IPipelineObserver? _observer;
    private readonly AlertEngine _engine;
    private readonly OffsetTracker _tracker = new();
    private readonly Channel<InputWork> _queue;
    private readonly CancellationTokenSource _failed = new();
    private readonly Lock _assignmentGate = new();
    private readonly SchemaRegistryClient? _registry;
    private readonly IAlertArchive? _archive;
#pragma warning disable CA2213 // owned and disposed by RunAsync (using); these fields only let callbacks reach them
    private IProducer<byte[]?, byte[]>? _producer;
    private IConsumer<byte[]?, byte[]?>? _consumer;
#pragma warning restore CA2213
    private List<TopicPartition> _assignment = [];
    private long? _drainDeadline;
    private volatile bool _drainExpired;

    // Set just before the consumer closes: the revocation the close causes must not commit synchronously (see OnRevoked).
    private volatile bool _closing;
    private readonly Lock _catalogGate = new();
    private readonly FilterSources _filterSources;
    private FilterActivation? _activation;

    private BrokerPipeline(PipelineOptions options, ILogger log, IPipelineObserver? observer, PipelineServices services)
    {
        _options = options;
        _log = log;
        _observer = observer;
        _archive = services.Archive;
        if (_archive is { } archive)
        {
            Status.AddProbe("archive", () => archive.Problem);
        }

        // Confluent's registry client takes its own settings (basic auth, TLS) as schema.registry.* keys.
        _registry = options.Schemas.RegistryUrl is { } url
            ? new SchemaRegistryClient(new Uri(url), options.Kafka.Settings.Where(kv => kv.Key.StartsWith("schema.registry.", StringComparison.Ordinal)))
            : null;
        Metrics = new BrokerMetrics(options.Kafka.GroupId);
        try
        {
            _engine = AlertEngine.Create(options.Engine(_registry), new EngineServices
            {
                Novelty = services.Novelty,
                Objects = services.Objects,
                Health = new LedgerHealth(Status, log),
                Metrics = Metrics,
            });
        }
        catch
        {
            Metrics.Dispose();
            _registry?.Dispose();
            throw;
        }

        _filterSources = new FilterSources(Filters, [.. options.Filters.Select(f => f.Compile())]);
        _filterSources.Merge();
        Status.FilterSet = Filters;
        _queue = Channel.CreateBounded<InputWork>(new BoundedChannelOptions(options.Processing.QueueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Metrics.ObserveLag(ObserveLag);
        Status.Lag = () => PartitionLag().Sum(l => l.Lag);
        Status.StallAfter = TimeSpan.FromSeconds(options.Processing.StallSeconds);
        Metrics.ObserveHealth(() => Status.Problems is { Count: > 0 } problems
            ? problems.Select(p => new Measurement<int>(1, new KeyValuePair<string, object?>("component", p.Component)))
            : [new Measurement<int>(0, new KeyValuePair<string, object?>("component", "none"))]);
    }

    public PipelineOptions Options => _options;

    public PipelineStatus Status { get; } = new();

    public BrokerMetrics Metrics { get; }

    /// <summary>The engine that decodes, scores, routes and encodes (its filters are <see cref="Filters"/>).</summary>
    public AlertEngine Engine => _engine;

    /// <summary>The subscriptions in force; replace them at any time.</summary>
    public FilterSet Filters => _engine.Filters;

    /// <summary>
    /// Puts a filter catalog's subscriptions in force (after the configuration's and the files'): now when running,
    /// else when the run starts. Each definition is compiled here; returns those refused (bad text, name clash, topic).
    /// </summary>
    public IReadOnlyDictionary<string, string> ApplyCatalog(IReadOnlyList<FilterDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var compiled = new List<ExpressionFilter>(definitions.Count);
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            try
            {
                compiled.Add(definition.Compile());
            }
            catch (Exception e) when (e is FilterException or FilterDefinitionException)
            {
                refused[definition.Name] = e.Message;
            }
        }

        lock (_catalogGate)
        {
            // Not running: no topics to check yet (the run's activation merges again, checking them).
            var merged = _activation is { } activation ? activation.ApplyCatalog(compiled) : _filterSources.SetCatalog(compiled);
            foreach (var (name, why) in merged)
            {
                refused[name] = why;
            }

            Status.CatalogRefusals = refused;
        }

        return refused;
    }

    /// <summary>The watched filter directory while running, when the configuration names one.</summary>
    public FilterDirectory? FilterFiles => Status.FilterDirectory;

    /// <summary>Loads the models and prepares the stages; nothing connects to Kafka until <see cref="RunAsync"/>.</summary>
    /// <remarks><paramref name="services"/>: what is shared with a cluster (novelty models, object ledger); null alone.</remarks>
    public static BrokerPipeline Create(PipelineOptions options, ILogger log, IPipelineObserver? observer = null, PipelineServices? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        return new BrokerPipeline(options.Validate(), log, observer, services ?? new PipelineServices());
    }

    /// <summary>Consumes until <paramref name="stop"/> fires (then drains and commits) or a fatal error (then throws).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var producer = KafkaClients.Producer<byte[]?, byte[]>(KafkaSettings.Producer(_options), b => b
            .SetErrorHandler((_, e) => OnClientError("producer", e))
            .SetLogHandler((_, m) => OnClientLog("producer", m)));
        using var consumer = KafkaClients.Consumer<byte[]?, byte[]?>(KafkaSettings.Consumer(_options), b => b
            .SetErrorHandler((_, e) => OnClientError("consumer", e))
            .SetLogHandler((_, m) => OnClientLog("consumer", m))
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions)));
        _producer = producer;
        _consumer = consumer;
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        var activation = new FilterActivation(_filterSources, _options.TopicOf, admin, _log, stop);
        lock (_catalogGate)
        {
            _activation = activation;
            Status.CatalogRefusals = activation.Remerge();
        }

        using var filterFiles = _options.FilterDirectory is { } folder ? new FilterDirectory(folder, activation.Apply, _log) : null;
        Status.FilterDirectory = filterFiles;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, _failed.Token);
        var lanes = Enumerable.Range(0, _options.Processing.Lanes).Select(_ => Task.Run(() => LaneAsync(_failed.Token))).ToArray();
        var consumeLoop = new Thread(() => ConsumeLoop(consumer, linked.Token)) { Name = "broker-consume", IsBackground = true };
        try
        {
            var warm = Stopwatch.StartNew();
            var warmed = await _engine.WarmUpAsync(PipelineWarmup.Messages, PipelineWarmup.Repeats, stop).ConfigureAwait(false);
            await _engine.WarmUpLedgerAsync(stop).ConfigureAwait(false);
            // One compacting collection before the first alert: what starting built (models, sessions, the silo,
            // caches) moves to gen2 now, not in the first live collections, which would copy it while alerts wait
            // (paired `broker demo`: p99 median 334 -> 298 ms; with the 2 MiB large-object threshold 416 -> 319 ms).
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            LogWarmedUp(_log, warmed, warm.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopped while warming up: the consume loop below sees the stop at once and the run ends as any stop does
        }

        consumer.Subscribe(_options.Kafka.InputTopics);
        Status.State = PipelineState.Running;
        LogStarted(_log, string.Join(",", _options.Kafka.InputTopics), _options.Kafka.GroupId, _engine.RbModelId, _engine.CnnModelId ?? "none", Filters.Filters.Count);
        consumeLoop.Start();
        await Task.Run(consumeLoop.Join, CancellationToken.None).ConfigureAwait(false);

        // Drain: no more input; finish what was read, wait for its delivery reports, store and commit.
        Status.State = Status.State == PipelineState.Failed ? PipelineState.Failed : PipelineState.Draining;
        _queue.Writer.TryComplete();
        // One deadline for the whole stop (lanes, delivery reports, the revocation the close causes), so the process
        // exits within processing.drain_seconds whatever the load: what is not done by then stays uncommitted.
        var drain = TimeSpan.FromSeconds(_options.Processing.DrainSeconds);
        _drainDeadline = Stopwatch.GetTimestamp() + (long)(drain.TotalSeconds * Stopwatch.Frequency);
        var drained = Task.WhenAll(lanes);
        await Task.WhenAny(drained, Task.Delay(drain, CancellationToken.None)).ConfigureAwait(false);
        WaitInFlight(null, DrainRemaining());
        var left = _tracker.InFlight();
        if (!drained.IsCompleted || left > 0)
        {
            // Lanes still busy skip what remains in the queue (abandoned: re-read after a restart).
            _drainExpired = true;
            LogNotDrained(_log, _options.Processing.DrainSeconds, left);
        }

        producer.Flush(DrainRemaining(atLeast: TimeSpan.FromSeconds(1)));
        StoreCommittable(consumer);
        if (Status.State != PipelineState.Failed)
        {
            _ = CommitStored(consumer, "shutdown");
        }

        // Leave before closing, so no assignment is still being handed over when the close begins (ConsumerShutdown).
        if (ConsumerShutdown.LeaveGroup(consumer, DrainRemaining(atLeast: TimeSpan.FromSeconds(2))) is { } notLeft)
        {
            LogLeaveIncomplete(_log, notLeft);
        }

        _closing = true;
        consumer.Close();
        lock (_catalogGate)
        {
            _activation = null;
        }

        Status.FilterDirectory = null;
        _producer = null;
        _consumer = null;
        if (Status.State == PipelineState.Failed)
        {
            throw new PipelineFailedException(Status.Error ?? "the pipeline failed");
        }

        Status.State = PipelineState.Stopped;
        LogStopped(_log, Status.Consumed, Status.Published, Status.DeadLettered);
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync().ConfigureAwait(false);
        Metrics.Dispose();
        _failed.Dispose();
        _registry?.Dispose();
    }

    private void ConsumeLoop(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stop)
    {
        var lastStore = Stopwatch.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            if (Stopwatch.GetElapsedTime(lastStore) > TimeSpan.FromMilliseconds(100))
            {
                StoreCommittable(consumer);
                lastStore = Stopwatch.GetTimestamp();
            }

            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                // A message librdkafka itself could not deliver (e.g. a CRC error): it has an offset; dead-letter it.
                if (e.ConsumerRecord is { } bad && bad.Message is not null)
                {
                    result = bad;
                }
                else
                {
                    LogConsumeError(_log, e.Error.Reason);
                    continue;
                }
            }
            catch (ConsumeException e)
            {
                Fail($"consumer: {e.Error.Reason}");
                return;
            }

            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            Status.AddConsumed(result.TopicPartitionOffset);
            Metrics.AlertsIn.Add(1, BrokerMetrics.Topic(result.Topic));
            var work = new InputWork(result, _tracker.Begin(result.TopicPartition, result.Offset.Value), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Stopwatch.GetTimestamp());
            while (!_queue.Writer.TryWrite(work))
            {
                // Backpressure: the lanes are behind. Keep storing offsets while waiting; never drop. A stop while
                // waiting gives this message up for the run: uncommitted (re-read on restart), and not waited for.
                if (stop.IsCancellationRequested)
                {
                    work.State.Abandon(result.Offset.Value);
                    return;
                }

                try
                {
                    _queue.Writer.WaitToWriteAsync(stop).AsTask().Wait(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                }
                catch (AggregateException)
                {
                    work.State.Abandon(result.Offset.Value);
                    return;
                }

                StoreCommittable(consumer);
            }
        }
    }

    private async Task LaneAsync(CancellationToken failed)
    {
        await foreach (var work in _queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (failed.IsCancellationRequested || _drainExpired)
            {
                // Not completed: its offset stays uncommitted and is re-read after a restart; not waited for either.
                work.State.Abandon(work.Result.Offset.Value);
                continue;
            }

            await ProcessAsync(work, failed).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(InputWork work, CancellationToken cancel)
    {
        var source = work.Source;
        IReadOnlyList<Alert> alerts;
        var start = Stopwatch.GetTimestamp();
        try
        {
            alerts = _engine.Decode(work.Result.Message.Value);
        }
        catch (AlertDecodeException e)
        {
            await DeadLetterAsync(work, "decode." + e.Stage.ToString().ToLowerInvariant(), e.Message).ConfigureAwait(false);
            return;
        }

        Metrics.StageLatency.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, BrokerMetrics.Stage("decode"));
        var outputs = new List<Output>(alerts.Count * 2);
        try
        {
            foreach (var alert in alerts)
            {
                var (_, annotation, matched) = await _engine.ProcessAsync(alert, source, work.IngestMs, cancel).ConfigureAwait(false);
                var encodeStart = Stopwatch.GetTimestamp();
                var key = Encoding.ASCII.GetBytes(alert.AlertId.ToString(CultureInfo.InvariantCulture));
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var published = new PublishedAlert(alert, annotation, now);
                // Each payload is encoded once per alert: every topic that takes it gets the same bytes.
                var full = _engine.Encode(Payload.Full, alert, annotation, now);
                byte[]? light = null;
                outputs.Add(new Output(_options.AnnotatedTopic, key, full, published));
                foreach (var filter in matched)
                {
                    var value = filter.Payload == Payload.Full ? full : light ??= _engine.Encode(Payload.Light, alert, annotation, now);
                    outputs.Add(new Output(_options.TopicOf(filter), key, value, published));
                }

                Metrics.StageLatency.Record(Stopwatch.GetElapsedTime(encodeStart).TotalMilliseconds, BrokerMetrics.Stage("annotate"));
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return;
        }
        catch (AlreadyAnnotatedException e)
        {
            await DeadLetterAsync(work, "annotate", e.Message).ConfigureAwait(false);
            return;
        }
#pragma warning disable CA1031 // one alert's failure (a malformed cutout, a model error) must not stop the stream
        catch (Exception e)
#pragma warning restore CA1031
        {
            await DeadLetterAsync(work, "score", $"{e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return;
        }

        // The archive keeps each alert once: a re-delivery the object ledger recognised was archived before its
        // first publication completed.
        var archived = _archive is null ? [] : outputs.Select(o => o.Alert).Distinct().Where(p => !p.Annotation.Redelivered).ToList();
        work.Begin(outputs.Count + archived.Count);
        foreach (var published in archived)
        {
            _ = ArchiveAsync(work, published);
        }

        foreach (var output in outputs)
        {
            await ProduceAsync(output.Topic, new Message<byte[]?, byte[]> { Key = output.Key, Value = output.Value }, report => OnOutputDelivered(work, output, report)).ConfigureAwait(false);
        }
    }

    private async Task ArchiveAsync(InputWork work, PublishedAlert published)
    {
        try
        {
            await _archive!.StoreAsync(published.Alert, published.Annotation, published.PublishTimeMs, _failed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_failed.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // any failure to keep an output is fatal: stop without committing (a restart re-reads)
        catch (Exception e)
#pragma warning restore CA1031
        {
            Fail($"archive: {e.Message}");
            return;
        }

        Metrics.MessagesOut.Add(1, BrokerMetrics.Topic("archive"));
        OutputFinished(work);
    }

    private void OnOutputDelivered(InputWork work, Output output, DeliveryReport<byte[]?, byte[]> report)
    {
        if (report.Error.IsError)
        {
            if (IsTooLarge(report.Error.Code))
            {
                work.Reject($"{output.Topic}: {report.Error.Reason}");
            }
            else
            {
                Fail($"delivery to {output.Topic} failed: {report.Error.Reason}");
                return;
            }
        }
        else
        {
            Metrics.MessagesOut.Add(1, BrokerMetrics.Topic(output.Topic));
            work.Delivered(output);
        }

        OutputFinished(work);
    }

    // One output of the message is stored (a Kafka delivery or the archive); the last one lets the offset go.
    private void OutputFinished(InputWork work)
    {
        if (!work.Finish())
        {
            return;
        }

        if (work.Rejection is { } reason)
        {
            _ = DeadLetterAsync(work, "publish", reason);
            return;
        }

        if (_engine.HasObjectLedger)
        {
            _ = RememberPublishedAsync(work);
            return;
        }

        Completed(work);
    }

    // Every output is stored: tell each alert's object, then let the offset go. A failure to remember only matters
    // if this message is re-read (a crash before the commit), and then it means a duplicate, never a loss.
    private async Task RememberPublishedAsync(InputWork work)
    {
        foreach (var alert in work.DeliveredByAlert().Select(d => d.Alert.Alert).Distinct())
        {
            try
            {
                await _engine.PublishedAsync(alert, _failed.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_failed.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the outputs are stored; the offset must still complete
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogRememberFailed(_log, alert.AlertId, e.Message);
            }
        }

        Completed(work);
    }

    private void Completed(InputWork work)
    {
        var elapsed = Stopwatch.GetElapsedTime(work.IngestTicks).TotalMilliseconds;
        Metrics.RecordPublished(elapsed);
        Status.AddPublished();
        work.State.Complete(work.Result.Offset.Value);
        if (_observer is not null)
        {
            foreach (var (published, topics) in work.DeliveredByAlert())
            {
                _observer.Published(published.Alert, published.Annotation, topics, elapsed);
            }
        }
    }

    private async Task DeadLetterAsync(InputWork work, string stage, string error)
    {
        var source = work.Source;
        LogDeadLetter(_log, source.ToString(), stage, error);
        var message = new Message<byte[]?, byte[]>
        {
            Key = work.Result.Message.Key,
            Value = work.Result.Message.Value ?? [],
            Headers = DeadLetterHeaders.Create(stage, error, source, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        };
        await ProduceAsync(_options.DeadLetterTopic, message, report =>
        {
            if (report.Error.IsError)
            {
                Fail($"delivery to {_options.DeadLetterTopic} failed: {report.Error.Reason}");
                return;
            }

            Metrics.DeadLetters.Add(1, BrokerMetrics.Stage(stage));
            Metrics.MessagesOut.Add(1, BrokerMetrics.Topic(_options.DeadLetterTopic));
            Status.AddDeadLettered();
            work.State.Complete(work.Result.Offset.Value);
            _observer?.DeadLettered(source, stage, error);
        }).ConfigureAwait(false);
    }

    /// <summary>Produces, waiting while librdkafka's queue is full; a synchronous failure is reported like a delivery one.</summary>
    private async Task ProduceAsync(string topic, Message<byte[]?, byte[]> message, Action<DeliveryReport<byte[]?, byte[]>> delivered)
    {
        var producer = _producer ?? throw new InvalidOperationException("The pipeline is not running.");
        while (true)
        {
            try
            {
                producer.Produce(topic, message, delivered);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ProduceException<byte[]?, byte[]> e)
            {
                delivered(new DeliveryReport<byte[]?, byte[]> { Error = e.Error, Message = message, TopicPartitionOffset = new TopicPartitionOffset(topic, Partition.Any, Offset.Unset) });
                return;
            }
        }
    }

    private static bool IsTooLarge(ErrorCode code) =>
        code is ErrorCode.MsgSizeTooLarge or ErrorCode.InvalidRecord or ErrorCode.RecordListTooLarge;
}
