// What /health reports: the pipeline's state, its assignment and counts; and, for replayers feeding the embedded
// cluster, how far the consumer has read each partition.
using System.Collections.Concurrent;
using Broker.Pipeline.Filters;
using Broker.Pipeline.Routing;
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

public sealed class PipelineStatus
{
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

    internal void AddPublished() => Interlocked.Increment(ref _published);

    internal void AddDeadLettered() => Interlocked.Increment(ref _deadLettered);
}
