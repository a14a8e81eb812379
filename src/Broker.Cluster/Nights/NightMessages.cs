// What silos report to a night grain and what it answers: counts, histograms, the most novel alerts and recent
// dead letters. Small records: a delta carries at most a few dozen candidates and examples.
namespace Broker.Cluster.Nights;

/// <summary>An alert that may belong in the night's top novel list.</summary>
[GenerateSerializer]
[Immutable]
public sealed record NovelAlert(
    [property: Id(0)] long AlertId,
    [property: Id(1)] string ObjectId,
    [property: Id(2)] double Mjd,
    [property: Id(3)] string Band,
    [property: Id(4)] float Mag,
    [property: Id(5)] float Novelty,
    [property: Id(6)] string Subspace,
    [property: Id(7)] string Explanation,
    [property: Id(8)] float Rb,
    [property: Id(9)] float? Cnn,
    [property: Id(10)] string SnapshotId);

/// <summary>One dead letter, as an example of its reason.</summary>
[GenerateSerializer]
[Immutable]
public sealed record DeadLetterExample(
    [property: Id(0)] string Stage,
    [property: Id(1)] string Error,
    [property: Id(2)] string Source,
    [property: Id(3)] long TimeMs);

/// <summary>One alert of the night's map sample: its identity, colours and raw feature vector (catalog order).</summary>
[GenerateSerializer]
[Immutable]
public sealed record MapPoint(
    [property: Id(0)] long AlertId,
    [property: Id(1)] string ObjectId,
    [property: Id(2)] string Band,
    [property: Id(3)] float Rb,
    [property: Id(4)] float? Novelty,
    [property: Id(5)] float[] Features);

/// <summary>A night's map sample as the forests take it.</summary>
public static class MapSample
{
    /// <summary>The points' feature vectors in one array, <paramref name="width"/> values each (a shorter vector is padded with 0).</summary>
    public static float[] Vectors(IReadOnlyList<MapPoint> sample, int width)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var vectors = new float[sample.Count * width];
        for (var i = 0; i < sample.Count; i++)
        {
            sample[i].Features.AsSpan(0, Math.Min(width, sample[i].Features.Length)).CopyTo(vectors.AsSpan(i * width, width));
        }

        return vectors;
    }
}

/// <summary>What a night counts: alerts, re-deliveries, outputs per topic, matches per filter, dead letters per stage, score histograms. Counts add up.</summary>
[GenerateSerializer]
public class NightCounts
{
    [Id(0)] public long Alerts { get; set; }
    [Id(1)] public long Redelivered { get; set; }
    [Id(2)] public Dictionary<string, long> Topics { get; set; } = [];
    [Id(3)] public Dictionary<string, long> Filters { get; set; } = [];
    [Id(4)] public Dictionary<string, long> DeadLetters { get; set; } = [];
    [Id(5)] public long[] Rb { get; set; } = new long[NightHistograms.Bins];
    [Id(6)] public long[] Cnn { get; set; } = new long[NightHistograms.Bins];
    [Id(7)] public long[] Novelty { get; set; } = new long[NightHistograms.Bins];

    /// <summary>Adds <paramref name="other"/>'s counts to these.</summary>
    public void Add(NightCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Alerts += other.Alerts;
        Redelivered += other.Redelivered;
        Add(Topics, other.Topics);
        Add(Filters, other.Filters);
        Add(DeadLetters, other.DeadLetters);
        Add(Rb, other.Rb);
        Add(Cnn, other.Cnn);
        Add(Novelty, other.Novelty);
    }

    private static void Add(Dictionary<string, long> into, Dictionary<string, long> from)
    {
        foreach (var (k, v) in from)
        {
            into[k] = into.GetValueOrDefault(k) + v;
        }
    }

    private static void Add(long[] into, long[] from)
    {
        for (var i = 0; i < into.Length && i < from.Length; i++)
        {
            into[i] += from[i];
        }
    }
}

/// <summary>One silo's report to a night since its last: the counts, top novel candidates, dead-letter examples and map points.</summary>
[GenerateSerializer]
public sealed class NightDelta : NightCounts
{
    [Id(0)] public List<NovelAlert> Novel { get; set; } = [];
    [Id(1)] public List<DeadLetterExample> Examples { get; set; } = [];
    [Id(2)] public List<MapPoint> Points { get; set; } = [];

    public bool IsEmpty => Alerts == 0 && DeadLetters.Count == 0;
}

[GenerateSerializer]
[Immutable]
public sealed record NightSummary(
    [property: Id(0)] string Survey,
    [property: Id(1)] string Night,
    [property: Id(2)] long Alerts,
    [property: Id(3)] long Redelivered,
    [property: Id(4)] IReadOnlyDictionary<string, long> Topics,
    [property: Id(5)] IReadOnlyDictionary<string, long> Filters,
    [property: Id(6)] IReadOnlyDictionary<string, long> DeadLetters,
    [property: Id(7)] long[] Rb,
    [property: Id(8)] long[] Cnn,
    [property: Id(9)] long[] Novelty,
    [property: Id(10)] IReadOnlyList<NovelAlert> TopNovel,
    [property: Id(11)] IReadOnlyList<DeadLetterExample> RecentDeadLetters);

/// <summary>Score histograms: 20 bins over [0, 1].</summary>
public static class NightHistograms
{
    public const int Bins = 20;

    public static int Bin(float score) => float.IsFinite(score) ? Math.Clamp((int)(score * Bins), 0, Bins - 1) : -1;
}
