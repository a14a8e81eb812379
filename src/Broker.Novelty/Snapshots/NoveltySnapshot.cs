// An immutable novelty model: the rank transform and one forest per subspace, as they were at one point of the
// stream. Scoring reads only this object, so the learner can build the next one meanwhile and swap it in
// atomically; the same snapshot (by id, from disk) gives identical scores on replay.
using Broker.Novelty.Forest;
using Broker.Novelty.Ranks;

namespace Broker.Novelty.Snapshots;

public sealed class NoveltySnapshot
{
    internal NoveltySnapshot(string id, ulong seed, long generation, long updates, int sampleSize, RankTransform ranks,
        IReadOnlyList<Subspace> subspaces, IsolationTree[][] forests)
    {
        Id = id;
        Seed = seed;
        Generation = generation;
        Updates = updates;
        SampleSize = sampleSize;
        Ranks = ranks;
        Subspaces = subspaces;
        Forests = forests;
        _normalizer = IsolationTree.AveragePath(sampleSize);
    }

    private readonly float _normalizer;

    /// <summary>"nov-{seed}-{generation}-{hash}": names the exact model in every annotation.</summary>
    public string Id { get; }

    public ulong Seed { get; }

    public long Generation { get; }

    /// <summary>Alerts the learner had seen when this snapshot was built.</summary>
    public long Updates { get; }

    /// <summary>Points per tree (psi); scores are normalized by c(psi).</summary>
    public int SampleSize { get; }

    public RankTransform Ranks { get; }

    public IReadOnlyList<Subspace> Subspaces { get; }

    internal IsolationTree[][] Forests { get; }

    public int FeatureCount => Ranks.FeatureCount;

    /// <summary>Scores one raw feature vector (catalog order) into <paramref name="result"/>; allocation-free.</summary>
    public void Score(ReadOnlySpan<float> features, NoveltyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Span<float> ranks = stackalloc float[FeatureCount];
        Ranks.Transform(features, ranks);
        var best = 0;
        for (var s = 0; s < Forests.Length; s++)
        {
            result.SubspaceScores[s] = SubspaceScore(ranks, s);
            if (result.SubspaceScores[s] > result.SubspaceScores[best])
            {
                best = s;
            }
        }

        result.Score = result.SubspaceScores[best];
        result.TopSubspace = best;
        Explain(ranks, best, result);
    }

    /// <summary>Scores only the subspace forests (no explanation), for evaluation loops.</summary>
    public float SubspaceScore(ReadOnlySpan<float> ranks, int subspace)
    {
        var trees = Forests[subspace];
        float total = 0;
        var t = 0;
        for (; t + 3 < trees.Length; t += 4)
        {
            total += IsolationTree.PathLength4(trees[t], trees[t + 1], trees[t + 2], trees[t + 3], ranks);
        }

        for (; t < trees.Length; t++)
        {
            total += trees[t].PathLength(ranks);
        }

        return Normalize(total / trees.Length);
    }

    private float Normalize(float meanPath) => _normalizer <= 0 ? 0.5f : MathF.Pow(2f, -meanPath / _normalizer);

    private void Explain(ReadOnlySpan<float> ranks, int subspace, NoveltyResult result)
    {
        Span<float> credit = stackalloc float[FeatureCount];
        credit.Clear();
        foreach (var tree in Forests[subspace])
        {
            tree.PathLength(ranks, credit);
        }

        float sum = 0;
        foreach (var c in credit)
        {
            sum += c;
        }

        for (var k = 0; k < NoveltyResult.ExplainedFeatures; k++)
        {
            var top = -1;
            for (var f = 0; f < credit.Length; f++)
            {
                if (credit[f] > 0 && (top < 0 || credit[f] > credit[top]))
                {
                    top = f;
                }
            }

            result.TopFeatures[k] = top;
            result.TopFeatureShares[k] = top < 0 || sum <= 0 ? 0 : credit[top] / sum;
            if (top >= 0)
            {
                credit[top] = 0;
            }
        }
    }
}
