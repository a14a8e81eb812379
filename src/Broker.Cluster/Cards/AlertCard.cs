// What the dashboard shows for one alert that made a night's top novel list: identity, photometry, scores, the
// novelty explanation and its three cutouts as PNGs (rendered once, on the silo that had the pixels).
namespace Broker.Cluster.Cards;

[GenerateSerializer]
[Immutable]
public sealed record AlertCard(
    [property: Id(0)] string Survey,
    [property: Id(1)] long AlertId,
    [property: Id(2)] string ObjectId,
    [property: Id(3)] double Mjd,
    [property: Id(4)] double Ra,
    [property: Id(5)] double Dec,
    [property: Id(6)] string Band,
    [property: Id(7)] double Mag,
    [property: Id(8)] float Rb,
    [property: Id(9)] float? Cnn,
    [property: Id(10)] float? RbCombined,
    [property: Id(11)] float? Novelty,
    [property: Id(12)] string? Subspace,
    [property: Id(13)] IReadOnlyDictionary<string, float> SubspaceScores,
    [property: Id(14)] IReadOnlyList<KeyValuePair<string, float>> TopFeatures,
    [property: Id(15)] string? SnapshotId,
    [property: Id(16)] IReadOnlyList<string> Filters,
    [property: Id(17)] byte[]? Science,
    [property: Id(18)] byte[]? Template,
    [property: Id(19)] byte[]? Difference);
