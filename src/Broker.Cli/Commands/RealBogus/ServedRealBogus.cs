// The served real/bogus models as the evaluation commands use them together: the boosted trees, the CNN and the
// stacked score whose weights the CNN's card holds. One load (a CNN card without stacking weights is refused) and one
// scoring of real alerts, for `broker eval real` and `broker eval novelty --real`.
using Broker.Alerts.Model;
using Broker.Models.Cnn;
using Broker.Models.RealBogus;

namespace Broker.Cli.Commands.RealBogus;

internal sealed class ServedRealBogus : IDisposable
{
    private ServedRealBogus(RealBogusModel trees, CnnModel cnn, CombinedScore combined)
    {
        Trees = trees;
        Cnn = cnn;
        Combined = combined;
    }

    public RealBogusModel Trees { get; }

    public CnnModel Cnn { get; }

    public CombinedScore Combined { get; }

    public static ServedRealBogus Load(string treesDir, string cnnDir)
    {
        var trees = RealBogusModel.Load(treesDir);
        try
        {
            var cnn = CnnModel.Load(cnnDir);
            var combined = CombinedScore.FromParameters(cnn.Card.Parameters);
            if (combined is null)
            {
                cnn.Dispose();
                throw new InvalidOperationException($"{cnn.Id}: its card has no stacked-score weights.");
            }

            return new ServedRealBogus(trees, cnn, combined);
        }
        catch
        {
            trees.Dispose();
            throw;
        }
    }

    /// <summary>The trees', the CNN's and the stacked score of each alert.</summary>
    public (float[] Rb, float[] Cnn, float[] Combined) Score(IReadOnlyList<Alert> alerts)
    {
        var real = RealAlertScores.Of(alerts);
        var (rb, cnn, both) = (new float[real.Count], new float[real.Count], new float[real.Count]);
        Trees.Score(real.Vectors, real.Count, rb);
        Cnn.Score(real.Tensors(), real.Count, cnn);
        for (var i = 0; i < both.Length; i++)
        {
            both[i] = Combined.Score(real.Alerts[i], rb[i], cnn[i]);
        }

        return (rb, cnn, both);
    }

    public void Dispose()
    {
        Trees.Dispose();
        Cnn.Dispose();
    }
}
