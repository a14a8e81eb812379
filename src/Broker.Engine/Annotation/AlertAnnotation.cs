// What the broker adds to an alert: its feature vector, the model scores, the novelty score and explanation, the
// filters it matched, where it came from and when. Filled by the scoring stage, written by AnnotationEncoder as
// the `broker` record of schemas/broker-annotation-v1.avsc.
using Broker.Engine.Shared;
using Broker.Novelty.Snapshots;

namespace Broker.Engine.Annotation;

/// <summary>Where the input message was read: the dead-letter headers and the annotation both name it.</summary>
public readonly record struct SourcePosition(string Topic, int Partition, long Offset)
{
    public override string ToString() => $"{Topic}[{Partition}]@{Offset}";
}

/// <summary>The novelty part of an annotation: the score, the subspace that isolated the alert, and why.</summary>
public sealed record NoveltyAnnotation(
    float Score,
    string Subspace,
    IReadOnlyList<KeyValuePair<string, float>> SubspaceScores,
    IReadOnlyList<KeyValuePair<string, float>> TopFeatures,
    string SnapshotId)
{
    /// <summary>Copies a snapshot's result into names (the result object is reused by the scorer).</summary>
    public static NoveltyAnnotation From(NoveltySnapshot snapshot, NoveltyResult result, IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(featureNames);
        var subspaces = new KeyValuePair<string, float>[snapshot.Subspaces.Count];
        for (var i = 0; i < subspaces.Length; i++)
        {
            subspaces[i] = new(snapshot.Subspaces[i].Name, result.SubspaceScores[i]);
        }

        var top = new List<KeyValuePair<string, float>>(NoveltyResult.ExplainedFeatures);
        for (var i = 0; i < NoveltyResult.ExplainedFeatures; i++)
        {
            if (result.TopFeatures[i] >= 0)
            {
                top.Add(new(featureNames[result.TopFeatures[i]], result.TopFeatureShares[i]));
            }
        }

        return new NoveltyAnnotation(result.Score, snapshot.Subspaces[result.TopSubspace].Name, subspaces, top, snapshot.Id);
    }
}

/// <summary>One alert's annotation.</summary>
public sealed class AlertAnnotation
{
    public required SourcePosition Source { get; init; }

    /// <summary>The feature vector in catalog order (NaN = not available for this alert).</summary>
    public required float[] Features { get; init; }

    /// <summary>Real/bogus probability from the boosted trees.</summary>
    public required float Rb { get; init; }

    public required string RbModel { get; init; }

    /// <summary>CNN probability on the cutout triplet; null when the alert has no usable difference cutout.</summary>
    public float? Cnn { get; init; }

    public string? CnnModel { get; init; }

    /// <summary>The stacked RB+CNN probability (null without a CNN score).</summary>
    public float? RbCombined { get; init; }

    /// <summary>Null while the novelty forests are still warming up (fewer alerts seen than a tree's sample).</summary>
    public NoveltyAnnotation? Novelty { get; init; }

    /// <summary>The snapshot that scored <see cref="Novelty"/> (not encoded: the archive keeps it by id, for replays).</summary>
    public NoveltySnapshot? NoveltySnapshot { get; init; }

    /// <summary>Names of the subscription filters the alert matched (set by routing).</summary>
    public IReadOnlyList<string> Filters { get; set; } = [];

    /// <summary>When the broker read the input message (Unix milliseconds).</summary>
    public required long IngestTimeMs { get; init; }

    /// <summary>The object's history across all its alerts (set from the object ledger; null without one).</summary>
    public ObjectHistory? Object { get; set; }

    /// <summary>True when the cluster had already published this alert (a re-delivery): filtered topics skip it.</summary>
    public bool Redelivered { get; set; }
}
