// Trains the real/bogus boosted trees: seeded, single-threaded XGBoost (hist), so the same data and seed give the
// same model file byte for byte. Inputs are full feature vectors; the trainer keeps the chosen columns.
using Broker.Features.Catalog;
using Broker.Models.Xgboost;

namespace Broker.Models.RealBogus;

public static class RealBogusTrainer
{
    public const int DefaultRounds = 400;

    /// <summary>The model's inputs: the pixel features, which are measured the same way on generated and real stamps.</summary>
    public static IReadOnlyList<FeatureInfo> DefaultFeatures => [.. FeatureCatalog.InGroup(FeatureGroup.Pixel)];

    public static IReadOnlyList<KeyValuePair<string, string>> Parameters(int seed) =>
    [
        new("objective", "binary:logistic"),
        new("eval_metric", "auc"),
        new("tree_method", "hist"),
        new("max_depth", "6"),
        new("eta", "0.08"),
        new("subsample", "0.8"),
        new("colsample_bytree", "0.8"),
        new("min_child_weight", "2"),
        new("max_bin", "256"),
        new("nthread", "1"),
        new("seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    /// <summary>Trains on <paramref name="count"/> full vectors (FeatureCatalog.Count each) with labels (1 real).</summary>
    public static Booster Train(ReadOnlySpan<float> vectors, ReadOnlySpan<float> labels, IReadOnlyList<FeatureInfo> features, int seed, int rounds)
    {
        ArgumentNullException.ThrowIfNull(features);
        var count = labels.Length;
        var k = features.Count;
        var width = FeatureCatalog.Count;
        var matrix = new float[count * k];
        for (var r = 0; r < count; r++)
        {
            for (var c = 0; c < k; c++)
            {
                matrix[(r * k) + c] = vectors[(r * width) + features[c].Index];
            }
        }

        return Booster.Train(matrix, labels, k, Parameters(seed), rounds);
    }
}
