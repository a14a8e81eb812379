// Trains the real/bogus boosted trees with ML.NET FastTree (binary classification, Platt-calibrated): seeded and
// single-threaded, and saved with normalised zip entries, so the same data and seed give the same model file
// byte for byte. Inputs are full feature vectors; the trainer keeps the chosen columns.
using System.Globalization;
using Broker.Features.Catalog;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Broker.Models.RealBogus;

public static class RealBogusTrainer
{
    // Chosen on the held-out generated set and real-alert agreement over a small grid (docs/models.md): 32 leaves
    // and a 0.8 feature fraction transferred to real alerts better than 64 leaves or fitting every feature.
    public const int DefaultTrees = 600;
    public const int DefaultLeaves = 32;
    public const double DefaultFeatureFraction = 0.8;
    public const double DefaultLearningRate = 0.08;
    public const int DefaultMinimumExamplesPerLeaf = 10;

    /// <summary>The model's inputs: the pixel features, which are measured the same way on generated and real stamps.</summary>
    public static IReadOnlyList<FeatureInfo> DefaultFeatures => [.. FeatureCatalog.InGroup(FeatureGroup.Pixel)];

    /// <summary>The FastTree settings, as the card records them.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(int seed, int trees, int leaves = DefaultLeaves, double learningRate = DefaultLearningRate) =>
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["trainer"] = "FastTreeBinary (Platt calibration)",
            ["trees"] = trees.ToString(CultureInfo.InvariantCulture),
            ["leaves"] = leaves.ToString(CultureInfo.InvariantCulture),
            ["learning_rate"] = learningRate.ToString("R", CultureInfo.InvariantCulture),
            ["min_examples_per_leaf"] = DefaultMinimumExamplesPerLeaf.ToString(CultureInfo.InvariantCulture),
            ["max_bins"] = "255",
            ["feature_fraction"] = DefaultFeatureFraction.ToString("R", CultureInfo.InvariantCulture),
            ["threads"] = "1",
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        };

    /// <summary>
    /// Trains on <paramref name="labels"/>.Length full vectors (FeatureCatalog.Count each; label 1 is real) and returns
    /// the model file's bytes (an ML.NET model zip with normalised entry times). <paramref name="weights"/>, when given,
    /// weighs each example (default 1).
    /// </summary>
    public static byte[] Train(ReadOnlySpan<float> vectors, ReadOnlySpan<float> labels, IReadOnlyList<FeatureInfo> features, int seed,
        int trees = DefaultTrees, int leaves = DefaultLeaves, double learningRate = DefaultLearningRate, ReadOnlySpan<float> weights = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        var width = FeatureCatalog.Count;
        var rows = new List<TrainingRow>(labels.Length);
        for (var r = 0; r < labels.Length; r++)
        {
            var row = new float[features.Count];
            Columns(vectors.Slice(r * width, width), 1, features, row);
            rows.Add(new TrainingRow { Features = row, Label = labels[r] >= 0.5f, Weight = weights.IsEmpty ? 1f : weights[r] });
        }

        return Train(rows, features.Count, seed, trees, leaves, learningRate);
    }

    /// <summary>
    /// Copies <paramref name="features"/>' columns of <paramref name="count"/> full vectors (FeatureCatalog.Count each)
    /// into <paramref name="destination"/>, row by row: the model's own inputs.
    /// </summary>
    public static void Columns(ReadOnlySpan<float> vectors, int count, IReadOnlyList<FeatureInfo> features, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(features);
        var width = FeatureCatalog.Count;
        for (var r = 0; r < count; r++)
        {
            for (var c = 0; c < features.Count; c++)
            {
                destination[(r * features.Count) + c] = vectors[(r * width) + features[c].Index];
            }
        }
    }

    /// <summary>Trains on rows of exactly <paramref name="width"/> features (the model's own columns).</summary>
    public static byte[] Train(IReadOnlyList<TrainingRow> rows, int width, int seed, int trees = DefaultTrees, int leaves = DefaultLeaves, double learningRate = DefaultLearningRate)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(TrainingRow));
        schema[nameof(TrainingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = nameof(TrainingRow.Label),
            ExampleWeightColumnName = nameof(TrainingRow.Weight),
            FeatureColumnName = nameof(TrainingRow.Features),
            NumberOfTrees = trees,
            NumberOfLeaves = leaves,
            LearningRate = learningRate,
            MinimumExampleCountPerLeaf = DefaultMinimumExamplesPerLeaf,
            NumberOfThreads = 1,
            Seed = seed,
            FeatureSelectionSeed = seed,
            FeatureFraction = DefaultFeatureFraction, // each tree sees a random 80% of the features
        });
        var model = trainer.Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        return ModelZip.Normalise(stream.ToArray());
    }

    /// <summary>One training example: the model's feature columns and whether it is real.</summary>
    public sealed class TrainingRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        /// <summary>How much the example counts (1 for generated alerts; real alerts with survey labels may count more).</summary>
        public float Weight { get; set; } = 1f;
    }
}
