// How far generated alerts are from real ones (issue 19): a classifier is trained to tell them apart and its
// cross-validated ROC AUC is the measure. 0.5 means it cannot (the generator is as real as the classifier can see);
// 1.0 means every generated alert gives itself away. The classifier is the broker's own kind, ML.NET FastTree,
// trained fold by fold; folds are by group (an object for real alerts, a scene for generated ones) so that one
// source's alerts are never on both sides of a fold. Every alert gets an out-of-fold score, so the same run also says
// which generated kinds are the easiest to spot (the AUC of their scores against the real alerts' scores).
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Broker.Models.Evaluation;

public static class RealismMeasure
{
    public const int DefaultFolds = 5;
    public const int DefaultTrees = 100;

    /// <summary>
    /// Out-of-fold scores, higher = "looks generated", for <paramref name="isGenerated"/>.Length rows of
    /// <paramref name="width"/> values each. <paramref name="groups"/> keeps a group's rows in one fold.
    /// </summary>
    public static float[] OutOfFold(float[] vectors, int width, bool[] isGenerated, long[] groups, int seed = 1, int folds = DefaultFolds, int trees = DefaultTrees)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(isGenerated);
        ArgumentNullException.ThrowIfNull(groups);
        var n = isGenerated.Length;
        if (vectors.Length != (long)n * width || groups.Length != n)
        {
            throw new ArgumentException($"{n} labels need {n} groups and {n * width} values; got {groups.Length} and {vectors.Length}.");
        }

        var fold = new int[n];
        for (var i = 0; i < n; i++)
        {
            fold[i] = (int)(Mix((ulong)groups[i], (ulong)seed) % (ulong)folds);
        }

        var scores = new float[n];
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        for (var f = 0; f < folds; f++)
        {
            var train = new List<Row>();
            var test = new List<int>();
            for (var i = 0; i < n; i++)
            {
                if (fold[i] == f)
                {
                    test.Add(i);
                }
                else
                {
                    train.Add(new Row { Features = vectors.AsSpan(i * width, width).ToArray(), Label = isGenerated[i] });
                }
            }

            if (test.Count == 0 || train.Select(r => r.Label).Distinct().Count() < 2)
            {
                continue; // a fold with nothing to test, or one class missing: its rows keep score 0
            }

            var model = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = trees,
                NumberOfLeaves = 16,
                MinimumExampleCountPerLeaf = 5,
                LearningRate = 0.1,
                NumberOfThreads = 1,
                Seed = seed,
                FeatureSelectionSeed = seed,
            }).Fit(ml.Data.LoadFromEnumerable(train, schema));
            var predicted = model.Transform(ml.Data.LoadFromEnumerable(test.Select(i => new Row { Features = vectors.AsSpan(i * width, width).ToArray() }), schema));
            var k = 0;
            foreach (var score in predicted.GetColumn<float>("Score"))
            {
                scores[test[k++]] = score;
            }
        }

        return scores;
    }

    /// <summary>
    /// <see cref="OutOfFold"/> run <paramref name="repeats"/> times with seeds seed, seed + 1, ... (other folds, other
    /// trees) and averaged: the AUC of one run depends on its fold assignment by a few hundredths.
    /// </summary>
    public static float[] Repeated(float[] vectors, int width, bool[] isGenerated, long[] groups, int seed, int repeats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        var sum = OutOfFold(vectors, width, isGenerated, groups, seed);
        for (var r = 1; r < repeats; r++)
        {
            var next = OutOfFold(vectors, width, isGenerated, groups, seed + r);
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += next[i];
            }
        }

        return sum; // a sum ranks as the mean does
    }

    /// <summary>AUC of the generated rows <paramref name="which"/> selects against every real row (NaN if either side is empty).</summary>
    public static double Auc(float[] scores, bool[] isGenerated, Func<int, bool> which)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(isGenerated);
        ArgumentNullException.ThrowIfNull(which);
        var rows = Enumerable.Range(0, scores.Length).Where(i => !isGenerated[i] || which(i)).ToArray();
        var labels = rows.Select(i => isGenerated[i]).ToArray();
        return labels.Distinct().Count() < 2 ? double.NaN : Metrics.RocAuc(rows.Select(i => scores[i]).ToArray(), labels);
    }

    private static ulong Mix(ulong a, ulong b)
    {
        var x = (a * 0x9E3779B97F4A7C15UL) ^ (b + 0x632BE59BD9B4E019UL);
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9UL;
        return x ^ (x >> 29);
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
