// The typed documents a silo's HTTP API answers with (the filter catalog, the nights), one source-generated JSON
// context for them (snake_case, as every broker document), and its errors as RFC 9457 problem details. A problem
// also carries the reason as `error`, the member clients of the first API read, so they keep working.
using System.Text.Json.Serialization;
using Broker.Cluster.Catalog;
using Broker.Cluster.Nights;
using Microsoft.AspNetCore.Http;

namespace Broker.Cluster.Hosting;

/// <summary>The catalog's version after a change (PUT or DELETE /api/filters/{name}).</summary>
public sealed record CatalogVersion(long Version);

/// <summary>One night as /api/nights/{survey}/{night} serves it; alert ids are text (they exceed JavaScript's 53 bits).</summary>
public sealed record NightDocument(
    string Survey,
    string Night,
    long Alerts,
    long Redelivered,
    IReadOnlyDictionary<string, long> Topics,
    IReadOnlyDictionary<string, long> Filters,
    IReadOnlyDictionary<string, long> DeadLetters,
    long[] Rb,
    long[] Cnn,
    long[] Novelty,
    IReadOnlyList<NovelAlertDocument> TopNovel,
    IReadOnlyList<DeadLetterExample> RecentDeadLetters)
{
    public static NightDocument Of(NightSummary n)
    {
        ArgumentNullException.ThrowIfNull(n);
        return new(n.Survey, n.Night, n.Alerts, n.Redelivered, n.Topics, n.Filters, n.DeadLetters, n.Rb, n.Cnn, n.Novelty,
            [.. n.TopNovel.Select(NovelAlertDocument.Of)], n.RecentDeadLetters);
    }
}

/// <summary>One alert of a night's top novel list (also in the night digests).</summary>
public sealed record NovelAlertDocument(
    [property: JsonPropertyName("alert_id")] string AlertId,
    [property: JsonPropertyName("object_id")] string ObjectId,
    [property: JsonPropertyName("mjd")] double Mjd,
    [property: JsonPropertyName("band")] string Band,
    [property: JsonPropertyName("mag")] float Mag,
    [property: JsonPropertyName("novelty")] float Novelty,
    [property: JsonPropertyName("subspace")] string Subspace,
    [property: JsonPropertyName("explanation")] string Explanation,
    [property: JsonPropertyName("rb")] float Rb,
    [property: JsonPropertyName("cnn")] float? Cnn,
    [property: JsonPropertyName("snapshot_id")] string SnapshotId)
{
    public static NovelAlertDocument Of(NovelAlert a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.AlertId.ToString(System.Globalization.CultureInfo.InvariantCulture), a.ObjectId, a.Mjd, a.Band, a.Mag, a.Novelty, a.Subspace, a.Explanation, a.Rb, a.Cnn, a.SnapshotId);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CatalogVersion))]
[JsonSerializable(typeof(NightDocument))]
[JsonSerializable(typeof(FilterCatalogMessage))]
public sealed partial class ApiJson : JsonSerializerContext;

/// <summary>The API's errors: problem details (status, title, detail) with the reason also as `error`.</summary>
public static class ApiProblem
{
    public static IResult Of(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["error"] = detail });
}
