// What a silo adds to its /health document (MetricsServer writes the pipeline's part): its address, the cluster's
// members as it sees them, the novelty snapshots it scores with, the filter catalog's version and refusals, its night
// archive and the novelty samples it had to drop. Typed, with a source-generated context (snake_case names).
using System.Text.Json.Serialization;

namespace Broker.Cluster.Hosting;

public sealed record SiloHealth(
    string Silo,
    IReadOnlyList<SiloMember> Silos,
    IReadOnlyDictionary<string, string> NoveltySnapshots,
    long CatalogVersion,
    IReadOnlyDictionary<string, string> CatalogRefused,
    SiloArchiveHealth? Archive,
    long NoveltySamplesDropped);

/// <summary>One member of the cluster: its address and membership status (active, joining, shutting_down, dead, ...).</summary>
public sealed record SiloMember(string Address, string Status);

/// <summary>The silo's night archive: where, under which writer name, what it stored, and what is wrong.</summary>
public sealed record SiloArchiveHealth(string Directory, string Writer, long Stored, int OpenFiles, string? Failure, string? Problem);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SiloHealth))]
public sealed partial class SiloHealthJson : JsonSerializerContext;
