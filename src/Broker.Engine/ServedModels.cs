// The models the broker serves, loaded together from their directories: the boosted trees, the CNN (optional) and
// the stacked score whose weights the CNN's card holds (per survey where the card says so). One load and one
// disposal for the engine, the evaluation commands and anything else that scores as the broker does.
using Broker.Models.Cnn;
using Broker.Models.RealBogus;

namespace Broker.Engine;

public sealed class ServedModels : IDisposable
{
    private ServedModels(RealBogusModel trees, CnnModel? cnn, CombinedScore? combined)
    {
        Trees = trees;
        Cnn = cnn;
        Combined = combined;
    }

    /// <summary>The boosted trees (rb).</summary>
    public RealBogusModel Trees { get; }

    /// <summary>The cutout CNN, or null when the configuration serves none.</summary>
    public CnnModel? Cnn { get; }

    /// <summary>rb_combined's weights from the CNN's card, or null (no CNN, or a card without them).</summary>
    public CombinedScore? Combined { get; }

    public string RbModelId => Trees.Id;

    public string? CnnModelId => Cnn?.Id;

    /// <summary>Loads the trees from <paramref name="treesDir"/> and, when given, the CNN from <paramref name="cnnDir"/>.</summary>
    /// <exception cref="InvalidOperationException">With <paramref name="requireCombined"/>: the CNN's card holds no stacking weights.</exception>
    public static ServedModels Load(string treesDir, string? cnnDir, bool requireCombined = false)
    {
        ArgumentNullException.ThrowIfNull(treesDir);
        var trees = RealBogusModel.Load(treesDir);
        CnnModel? cnn = null;
        try
        {
            CombinedScore? combined = null;
            if (cnnDir is not null)
            {
                cnn = CnnModel.Load(cnnDir);
                combined = CombinedScore.FromParameters(cnn.Card.Parameters);
            }

            if (requireCombined && combined is null)
            {
                throw new InvalidOperationException(cnn is null
                    ? "no CNN is served, so there is no stacked score"
                    : $"{cnn.Id}: its card has no stacked-score weights.");
            }

            return new ServedModels(trees, cnn, combined);
        }
        catch
        {
            cnn?.Dispose();
            trees.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Cnn?.Dispose();
        Trees.Dispose();
    }
}
