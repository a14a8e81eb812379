// The served real/bogus models as the evaluation commands use them together (the engine's ServedModels bundle: the
// boosted trees, the CNN and the stacked score whose weights the CNN's card holds; a card without them is refused),
// scoring a set of real alerts in batches, for `broker eval real` and `broker eval novelty --real`.
using Broker.Alerts.Model;
using Broker.Engine;
using Broker.Models.Cnn;
using Broker.Models.RealBogus;

namespace Broker.Cli.Commands.RealBogus;

internal sealed class ServedRealBogus : IDisposable
{
    private readonly ServedModels _models;

    private ServedRealBogus(ServedModels models) => _models = models;

    public RealBogusModel Trees => _models.Trees;

    public CnnModel Cnn => _models.Cnn!;

    public CombinedScore Combined => _models.Combined!;

    /// <summary>The served bundle (ServedModels), which must have a CNN with stacking weights.</summary>
    public static ServedRealBogus Load(string treesDir, string cnnDir) => new(ServedModels.Load(treesDir, cnnDir, requireCombined: true));

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

    public void Dispose() => _models.Dispose();
}
