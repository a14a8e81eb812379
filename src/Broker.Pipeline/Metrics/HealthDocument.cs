// The bodies of /health and /health/live as types, serialized by a source-generated context (snake_case names): what
// a readiness probe, an operator's curl and the dashboard read. A silo adds its own typed fields (its cluster view)
// to the same document, flat, through MetricsServer.MapEndpoints.
using System.Globalization;
using System.Text.Json.Serialization;

namespace Broker.Pipeline.Metrics;

/// <summary>/health: the pipeline's state, what keeps it from its work, and its counters.</summary>
public sealed record HealthDocument(
    string Status,
    string? Error,
    IReadOnlyList<HealthProblemDocument> Problems,
    IReadOnlyList<string> Assigned,
    long Consumed,
    long Published,
    long DeadLettered,
    IReadOnlyList<string> Filters,
    IReadOnlyList<FilterFileDocument> FilterFiles)
{
    public static HealthDocument Of(PipelineStatus status, IReadOnlyList<HealthProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(problems);
        return new HealthDocument(
            status.Health(problems),
            status.Error,
            [.. problems.Select(p => new HealthProblemDocument(p.Component, p.Reason, p.Since.ToString("O", CultureInfo.InvariantCulture)))],
            status.Assigned,
            status.Consumed,
            status.Published,
            status.DeadLettered,
            status.FiltersInForce,
            [.. status.FilterFiles.Select(f => new FilterFileDocument(f.Path, f.Name, f.Active, f.Error))]);
    }
}

/// <summary>One part that keeps the pipeline from its work, since when (ISO 8601).</summary>
public sealed record HealthProblemDocument(string Component, string Reason, string Since);

/// <summary>One file of the watched filter folder: the filter it defines, whether it is in force, and why not.</summary>
public sealed record FilterFileDocument(string Path, string? Filter, bool InForce, string? Error);

/// <summary>/health/live: "alive" while the process works on (degraded or not), else its final state.</summary>
public sealed record LivenessDocument(string Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(HealthDocument))]
[JsonSerializable(typeof(LivenessDocument))]
public sealed partial class HealthJson : JsonSerializerContext;
