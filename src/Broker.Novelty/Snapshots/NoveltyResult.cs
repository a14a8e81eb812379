namespace Broker.Novelty.Snapshots;

/// <summary>
/// One alert's novelty: the highest subspace score (each is 2^(-E[h]/c(psi)), ~0.5 for ordinary alerts, toward 1
/// for ones isolated quickly), every subspace's score, and the explanation: the subspace with the highest score and
/// up to three of its features that isolated the alert earliest.
/// </summary>
public sealed class NoveltyResult
{
    public const int ExplainedFeatures = 3;

    public NoveltyResult(int subspaces)
    {
        SubspaceScores = new float[subspaces];
    }

    public float Score { get; internal set; }

    public float[] SubspaceScores { get; }

    public int TopSubspace { get; internal set; }

    /// <summary>Catalog indexes of the features that isolated the alert earliest in the top subspace (-1: none).</summary>
    public int[] TopFeatures { get; } = [-1, -1, -1];

    /// <summary>Share of the top subspace's split credit each of TopFeatures earned.</summary>
    public float[] TopFeatureShares { get; } = new float[ExplainedFeatures];
}
