// What each silo tells the cluster about itself every second (ClusterPulseGrain): cumulative counts per topic and
// dead-letter stage, per-stage cost, ingest-to-publish latency over the last hour as a histogram, lag per partition,
// the models and novelty snapshots in force, and the nights it touched. Small: a few KB per silo per second.
namespace Broker.Cluster.Operations;

[GenerateSerializer]
[Immutable]
public sealed record SiloPulse(
    [property: Id(0)] string Silo,
    [property: Id(1)] long TimeMs,
    [property: Id(2)] string State,
    [property: Id(3)] IReadOnlyDictionary<string, long> In,
    [property: Id(4)] IReadOnlyDictionary<string, long> Out,
    [property: Id(5)] IReadOnlyDictionary<string, long> DeadLetters,
    [property: Id(6)] IReadOnlyDictionary<string, StageCost> Stages,
    [property: Id(7)] long[] LatencyHour,
    [property: Id(8)] IReadOnlyList<PartitionLag> Lag,
    [property: Id(9)] string RbModel,
    [property: Id(10)] string? CnnModel,
    [property: Id(11)] IReadOnlyDictionary<string, string> NoveltySnapshots,
    [property: Id(12)] IReadOnlyList<string> Nights,
    [property: Id(13)] IReadOnlyList<string> Filters);

/// <summary>A stage's cumulative cost: calls and total milliseconds.</summary>
[GenerateSerializer]
[Immutable]
public readonly record struct StageCost([property: Id(0)] long Count, [property: Id(1)] double TotalMs);

[GenerateSerializer]
[Immutable]
public readonly record struct PartitionLag([property: Id(0)] string Topic, [property: Id(1)] int Partition, [property: Id(2)] long Lag);
