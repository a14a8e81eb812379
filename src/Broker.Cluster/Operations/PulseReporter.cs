// A silo's pulse: listens to its pipeline's own instruments (a MeterListener on this pipeline's meter only, so the
// counts are exactly what /metrics exports), keeps the hour of latencies, and reports a SiloPulse to the cluster's
// pulse grain every second. Nothing here is on an alert's path but the listener's callbacks (a dictionary update).
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Broker.Pipeline;
using Microsoft.Extensions.Logging;

namespace Broker.Cluster.Operations;

public sealed partial class PulseReporter : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly BrokerPipeline _pipeline;
    private readonly string _silo;
    private readonly Func<IReadOnlyDictionary<string, string>> _snapshots;
    private readonly Func<IReadOnlyList<string>> _nights;
    private readonly ILogger _log;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _in = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _out = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _dead = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StageCost> _stages = new(StringComparer.Ordinal);
    private readonly LatencyHour _latency = new();
    private PeriodicWork? _reports;

    public PulseReporter(IGrainFactory grains, BrokerPipeline pipeline, string silo, Func<IReadOnlyDictionary<string, string>> snapshots, Func<IReadOnlyList<string>> nights, ILogger log)
    {
        _grains = grains;
        _pipeline = pipeline;
        _silo = silo;
        _snapshots = snapshots;
        _nights = nights;
        _log = log;
        var metrics = pipeline.Metrics;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (metrics.Owns(instrument))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var into = instrument == metrics.AlertsIn ? _in : instrument == metrics.MessagesOut ? _out : instrument == metrics.DeadLetters ? _dead : null;
            if (into is not null && tags.Length > 0 && tags[0].Value is string key)
            {
                into.AddOrUpdate(key, value, (_, n) => n + value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument == metrics.StageLatency && tags.Length > 0 && tags[0].Value is string stage)
            {
                _stages.AddOrUpdate(stage, new StageCost(1, value), (_, c) => new StageCost(c.Count + 1, c.TotalMs + value));
            }
            else if (instrument == metrics.IngestToPublish)
            {
                _latency.Add(value, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            }
        });
        _listener.Start();
    }

    public void Start() => _reports = new PeriodicWork(TimeSpan.FromSeconds(1), _ => ReportAsync(), e => LogReportFailed(_log, e.Message));

    /// <summary>This silo's pulse now.</summary>
    public SiloPulse Pulse()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var problems = _pipeline.Status.Problems;
        var health = _pipeline.Status.Health(problems);
        return new SiloPulse(
            _silo, now, problems.Count > 0 && health == "degraded" ? $"degraded ({string.Join(", ", problems.Select(p => p.Component))})" : health,
            new Dictionary<string, long>(_in), new Dictionary<string, long>(_out), new Dictionary<string, long>(_dead),
            new Dictionary<string, StageCost>(_stages), _latency.Snapshot(now),
            [.. _pipeline.PartitionLag().Select(l => new PartitionLag(l.Topic, l.Partition, l.Lag))],
            _pipeline.Engine.RbModelId, _pipeline.Engine.CnnModelId, _snapshots(), _nights(), _pipeline.Status.FiltersInForce);
    }

    public async Task ReportAsync() => await _grains.GetGrain<IClusterPulseGrain>(ClusterPulseGrain.Key).Report(Pulse()).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_reports is not null)
        {
            await _reports.DisposeAsync().ConfigureAwait(false);
        }

        _listener.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pulse report failed ({Error}); retrying next second")]
    private static partial void LogReportFailed(ILogger log, string error);
}
