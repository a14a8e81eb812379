// The pipeline's instruments (System.Diagnostics.Metrics, meter "Broker.Pipeline"): what an operator watches.
// MetricsServer exports them with OpenTelemetry as Prometheus text on /metrics; the demo and `bench e2e` read the
// latency samples for exact percentiles.
using System.Diagnostics.Metrics;

namespace Broker.Engine.Metrics;

public sealed class BrokerMetrics : IDisposable
{
    public const string MeterName = "Broker.Pipeline";

    private readonly Meter _meter;
    private readonly LatencySamples _ingestToPublish = new(1 << 17);
    private Func<IEnumerable<Measurement<long>>>? _lag;
    private Func<IEnumerable<Measurement<long>>>? _batches;
    private Func<IEnumerable<Measurement<int>>>? _health;

    public BrokerMetrics(string? instance = null)
    {
        _meter = new Meter(MeterName, null, instance is null ? null : [new("instance", instance)]);
        AlertsIn = _meter.CreateCounter<long>("broker_alerts_in", "{message}", "Input messages read, by topic.");
        MessagesOut = _meter.CreateCounter<long>("broker_messages_out", "{message}", "Output messages stored (delivery reported), by topic.");
        DeadLetters = _meter.CreateCounter<long>("broker_dead_letters", "{message}", "Input messages sent to the dead-letter topic, by stage.");
        StageLatency = _meter.CreateHistogram<double>("broker_stage_latency", "ms", "Time spent in each stage per alert.");
        IngestToPublish = _meter.CreateHistogram<double>("broker_ingest_to_publish", "ms", "From reading an input message to the delivery report of its last output.");
        _meter.CreateObservableGauge("broker_consumer_lag", () => _lag?.Invoke() ?? [], "{message}", "High watermark minus position, per assigned partition.");
        _meter.CreateObservableGauge("broker_health_degraded", () => _health?.Invoke() ?? [], "{problem}",
            "1 for each part that keeps the pipeline from its work (component: objects, archive, progress, ...); none when healthy. /health says the same.");
        _meter.CreateObservableCounter("broker_cnn_batches", () => _batches?.Invoke() ?? [], "{batch}", "CNN batches run, by batch size.");
    }

    public Counter<long> AlertsIn { get; }

    public Counter<long> MessagesOut { get; }

    public Counter<long> DeadLetters { get; }

    public Histogram<double> StageLatency { get; }

    public Histogram<double> IngestToPublish { get; }

    /// <summary>Exact recent ingest-to-publish latencies (ms), for percentiles in summaries.</summary>
    public LatencySamples IngestToPublishSamples => _ingestToPublish;

    public string MeterInstance => _meter.Tags?.FirstOrDefault().Value?.ToString() ?? string.Empty;

    internal Meter Meter => _meter;

    /// <summary>Whether an instrument is this pipeline's (another pipeline in the process has a meter of the same name).</summary>
    public bool Owns(Instrument instrument) => ReferenceEquals(instrument?.Meter, _meter);

    public static KeyValuePair<string, object?> Stage(string stage) => new("stage", stage);

    public static KeyValuePair<string, object?> Topic(string topic) => new("topic", topic);

    public void RecordPublished(double milliseconds)
    {
        IngestToPublish.Record(milliseconds);
        _ingestToPublish.Add(milliseconds);
    }

    /// <summary>Where consumer lag is read from at collection time.</summary>
    public void ObserveLag(Func<IEnumerable<Measurement<long>>> lag) => _lag = lag;

    /// <summary>Where the health problems are read from at collection time (one measurement of 1 per problem, and 0 with component "none" when there is none).</summary>
    public void ObserveHealth(Func<IEnumerable<Measurement<int>>> health) => _health = health;

    /// <summary>Where CNN batch counts are read from at collection time.</summary>
    public void ObserveCnnBatches(Func<IEnumerable<Measurement<long>>> batches) => _batches = batches;

    public void Dispose() => _meter.Dispose();
}

/// <summary>A bounded ring of the latest samples; percentiles over what it holds.</summary>
public sealed class LatencySamples(int capacity)
{
    private readonly double[] _ring = new double[capacity];
    private readonly Lock _gate = new();
    private long _count;

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public void Add(double value)
    {
        lock (_gate)
        {
            _ring[(int)(_count++ % _ring.Length)] = value;
        }
    }

    /// <summary>The <paramref name="quantiles"/> (0..1) of the held samples, NaN when empty.</summary>
    public double[] Percentiles(params double[] quantiles)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        double[] copy;
        lock (_gate)
        {
            copy = _ring[..(int)Math.Min(_count, _ring.Length)];
        }

        Array.Sort(copy);
        return [.. quantiles.Select(q => copy.Length == 0 ? double.NaN : copy[Math.Clamp((int)Math.Ceiling(q * copy.Length) - 1, 0, copy.Length - 1)])];
    }

    /// <summary>The <paramref name="quantiles"/> of the samples of several sets together (several silos' pipelines).</summary>
    public static double[] Percentiles(IEnumerable<LatencySamples> sets, params double[] quantiles)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var merged = new LatencySamples(sets.Sum(s => s._ring.Length));
        foreach (var set in sets)
        {
            lock (set._gate)
            {
                foreach (var value in set._ring.AsSpan(0, (int)Math.Min(set._count, set._ring.Length)))
                {
                    merged.Add(value);
                }
            }
        }

        return merged.Percentiles(quantiles);
    }

    /// <summary>Forgets every sample (a benchmark step starts clean).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _count = 0;
        }
    }
}
