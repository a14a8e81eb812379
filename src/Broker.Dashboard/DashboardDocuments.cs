// The documents the dashboard's endpoints answer with, and the one source-generated JSON context (snake_case, as the
// page reads it) that writes them and the map's and playground's: "Now" (GET /api/now, and each event of /api/live),
// where a member that has not reported (starting, dead) has only its address, status and "not reporting" and its other
// fields null; an alert card; a filter's latest matches; an object's light curve.
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

/// <summary>A novel alert's card (GET /api/alerts/{survey}/{id}): scores, explanation, and where its three cutout PNGs are.</summary>
public sealed record CardDocument(
    string Survey, string AlertId, string ObjectId, double Mjd, double Ra, double Dec, string Band, double Mag,
    float Rb, float? Cnn, float? RbCombined, float? Novelty, string? Subspace, IReadOnlyDictionary<string, float> SubspaceScores,
    IReadOnlyList<CardFeature> TopFeatures, string? SnapshotId, IReadOnlyList<string> Filters,
    string? SciencePng, string? TemplatePng, string? DifferencePng)
{
    public static CardDocument Of(Broker.Cluster.Cards.AlertCard c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var id = c.AlertId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string? Png(byte[]? bytes, string kind) => bytes is null ? null : $"/api/alerts/{c.Survey}/{id}/{kind}.png";
        return new(c.Survey, id, c.ObjectId, c.Mjd, c.Ra, c.Dec, c.Band, c.Mag, c.Rb, c.Cnn, c.RbCombined, c.Novelty, c.Subspace, c.SubspaceScores,
            [.. c.TopFeatures.Select(f => new CardFeature(f.Key, f.Value))], c.SnapshotId, c.Filters,
            Png(c.Science, "science"), Png(c.Template, "template"), Png(c.Difference, "difference"));
    }
}

/// <summary>A feature's share of an alert's novelty.</summary>
public sealed record CardFeature(string Name, float Share);

/// <summary>One of a filter's latest matches among the alerts this silo published.</summary>
public sealed record RecentMatch(string Survey, string AlertId, string? ObjectId, string Band, double Mag, long IngestTimeMs);

/// <summary>One detection of an object's light curve.</summary>
public sealed record LightCurvePoint(double Mjd, string Band, float Mag, float Magerr);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(NowDocument))]
[JsonSerializable(typeof(MapDocument))]
[JsonSerializable(typeof(PlaygroundResult))]
[JsonSerializable(typeof(PlaygroundProblem))]
[JsonSerializable(typeof(List<PlaygroundNight>))]
[JsonSerializable(typeof(CardDocument))]
[JsonSerializable(typeof(Dictionary<string, List<RecentMatch>>))]
[JsonSerializable(typeof(List<LightCurvePoint>))]
public sealed partial class DashboardJson : JsonSerializerContext;
