// The dashboard's "Now" document (GET /api/now, and each event of /api/live): typed, serialized through the dashboard's
// source-generated JSON context (snake_case, as the page reads it), which also writes the map and the playground's answers. A member that has not reported (starting, dead)
// has only its address, status and "not reporting"; its other fields are null.
using System.Text.Json.Serialization;
using Broker.Cluster.Nights;

namespace Broker.Dashboard;

public sealed record NowDocument(
    long TimeMs,
    IReadOnlyList<NowSilo> Silos,
    IReadOnlyList<NowTopic> TopicsIn,
    IReadOnlyList<NowTopic> TopicsOut,
    double AlertsInPerS,
    long AlertsInTotal,
    double MessagesOutPerS,
    NowLatency LatencyHour,
    IReadOnlyList<NowStage> Stages,
    IReadOnlyList<NowLag> Lag,
    IReadOnlyDictionary<string, long> DeadLetters,
    IReadOnlyList<DeadLetterExample> DeadLetterExamples,
    NowModels Models,
    IReadOnlyList<string> Nights);

/// <summary>One silo: from its last pulse, or from the membership view alone when it has not reported.</summary>
public sealed record NowSilo(
    string Silo,
    string Status,
    string Pipeline,
    double? ReportAgeS = null,
    string? RbModel = null,
    string? CnnModel = null,
    IReadOnlyDictionary<string, string>? NoveltySnapshots = null,
    IReadOnlyList<string>? Filters = null,
    int? Partitions = null);

public sealed record NowTopic(string Topic, double PerS, long Total);

/// <summary>The last hour's ingest-to-publish percentiles (null when no alert was published).</summary>
public sealed record NowLatency(long Count, double? P50Ms, double? P95Ms, double? P99Ms);

public sealed record NowStage(string Stage, double? MeanMs, double PerS);

public sealed record NowLag(string Topic, int Partition, long Lag, string Silo);

public sealed record NowModels(string? Rb, string? Cnn, IReadOnlyDictionary<string, string> Novelty);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(NowDocument))]
[JsonSerializable(typeof(MapDocument))]
[JsonSerializable(typeof(PlaygroundResult))]
[JsonSerializable(typeof(PlaygroundProblem))]
[JsonSerializable(typeof(List<PlaygroundNight>))]
public sealed partial class DashboardJson : JsonSerializerContext;
