// What /health reports: the pipeline's state, its assignment and counts; and, for replayers feeding the embedded
// cluster, how far the consumer has read each partition. Health tells the truth: a part that cannot do its work
// (the object ledger's grain storage, the archive's disk) says so here while it holds the stream, and a pipeline
// that publishes nothing while messages wait is stalled; either makes it degraded (503 for a readiness probe)
// while it stays alive (liveness is separate).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Broker.Engine.Routing;
using Broker.Filters;
using Confluent.Kafka;

namespace Broker.Pipeline;

public enum PipelineState
{
    Starting,
    Running,
    Draining,
    Stopped,
    Failed,
}

/// <summary>Something that keeps the pipeline from doing its work now: which part, why, since when.</summary>
public sealed record HealthProblem(string Component, string Reason, DateTimeOffset Since);

public sealed class PipelineStatus
{
    private readonly ConcurrentDictionary<string, HealthProblem> _problems = new(StringComparer.Ordinal);
    private readonly List<(string Component, Func<(string Reason, DateTimeOffset Since)?> Problem)> _probes = [];
    private long _lastProgressTicks = Stopwatch.GetTimestamp();
    private long _consumed;
    private long _published;
    private long _deadLettered;
    private readonly ConcurrentDictionary<TopicPartition, long> _readPositions = new();

    public PipelineState State { get; internal set; } = PipelineState.Starting;

    /// <summary>Why the pipeline failed, when it did.</summary>
    public string? Error { get; internal set; }

    public IReadOnlyList<string> Assigned { get; internal set; } = [];

    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Input messages whose every output is stored.</summary>
    public long Published => Interlocked.Read(ref _published);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Names of the filters in force now.</summary>
    public IReadOnlyList<string> FiltersInForce => FilterSet is { } set ? [.. set.Filters.Select(f => f.Name)] : [];

    /// <summary>The watched filter files and what became of each (empty without a filter directory).</summary>
    public IReadOnlyList<FilterFileStatus> FilterFiles => FilterDirectory?.Status ?? [];

    /// <summary>Filters of the cluster's catalog not in force on this silo, by name, with why.</summary>
    public IReadOnlyDictionary<string, string> CatalogRefusals { get; internal set; } = new Dictionary<string, string>();

    internal FilterSet? FilterSet { get; set; }

    internal FilterDirectory? FilterDirectory { get; set; }

    /// <summary>The offset after the last message this process read from a partition, or -1 if it read none.</summary>
    public long ReadPosition(string topic, int partition) => _readPositions.TryGetValue(new TopicPartition(topic, partition), out var next) ? next : -1;

    internal void AddConsumed(TopicPartitionOffset read)
    {
        Interlocked.Increment(ref _consumed);
        _readPositions[read.TopicPartition] = read.Offset.Value + 1;
    }

    internal void AddPublished()
    {
        Interlocked.Increment(ref _published);
        Volatile.Write(ref _lastProgressTicks, Stopwatch.GetTimestamp());
    }

    internal void AddDeadLettered()
    {
        Interlocked.Increment(ref _deadLettered);
        Volatile.Write(ref _lastProgressTicks, Stopwatch.GetTimestamp());
    }

    /// <summary>How long ago a message was last published or dead-lettered (or the pipeline started).</summary>
    public TimeSpan SinceProgress => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastProgressTicks));

    /// <summary>Messages waiting in Kafka beyond this consumer's positions (set by the pipeline; 0 when unknown).</summary>
    internal Func<long>? Lag { get; set; }

    /// <summary>After how long without progress, while messages wait, the pipeline counts as stalled.</summary>
    internal TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A part asked at each health read what keeps it from working (null: nothing).</summary>
    internal void AddProbe(string component, Func<(string Reason, DateTimeOffset Since)?> problem) => _probes.Add((component, problem));

    /// <summary>Marks <paramref name="component"/> as unable to work, with why (kept since its first report).</summary>
    public void Degrade(string component, string reason)
    {
        ArgumentNullException.ThrowIfNull(component);
        _problems.AddOrUpdate(component, c => new HealthProblem(c, reason, DateTimeOffset.UtcNow), (_, old) => old with { Reason = reason });
    }

    /// <summary>Clears what <see cref="Degrade"/> reported for <paramref name="component"/>.</summary>
    public void Recover(string component) => _problems.TryRemove(component, out _);

    /// <summary>What degrades the pipeline now: the reported problems and, when it is stalled, the stall.</summary>
    public IReadOnlyList<HealthProblem> Problems
    {
        get
        {
            var problems = _problems.Values.ToList();
            foreach (var (component, probe) in _probes)
            {
                if (probe() is { } problem)
                {
                    problems.Add(new HealthProblem(component, problem.Reason, problem.Since));
                }
            }

            problems.Sort((a, b) => string.CompareOrdinal(a.Component, b.Component));
            if (State == PipelineState.Running && SinceProgress > StallAfter)
            {
                var waiting = Consumed - Published - DeadLettered;
                var lag = waiting > 0 ? 0 : Lag?.Invoke() ?? 0;
                if (waiting > 0 || lag > 0)
                {
                    problems.Add(new HealthProblem("progress", string.Create(CultureInfo.InvariantCulture,
                        $"nothing published for {SinceProgress.TotalSeconds:F0} s while {(waiting > 0 ? $"{waiting} messages are in flight" : $"{lag} messages wait in Kafka")}"),
                        DateTimeOffset.UtcNow - SinceProgress));
                }
            }

            return problems;
        }
    }

    /// <summary>The state as /health and the dashboard say it: degraded while running with a problem.</summary>
    public string Health(IReadOnlyList<HealthProblem> problems) =>
        State == PipelineState.Running && problems.Count > 0 ? "degraded" : State.ToString().ToLowerInvariant();
}
