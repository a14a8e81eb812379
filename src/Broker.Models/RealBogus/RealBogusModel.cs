// The real/bogus scorer: boosted trees over the model's feature columns, scored in batches straight from full
// feature vectors (the model picks its columns; no per-alert allocation). Loading checks the model file's
// sha256 against its card and that every feature the model needs still exists in the catalog.
using System.Buffers;
using Broker.Features.Catalog;
using Broker.Models.Cards;
using Broker.Models.Xgboost;

namespace Broker.Models.RealBogus;

public sealed class RealBogusModel : IDisposable
{
    private readonly Booster _booster;
    private readonly int[] _columns;

    private RealBogusModel(ModelCard card, Booster booster, int[] columns)
    {
        Card = card;
        _booster = booster;
        _columns = columns;
    }

    public ModelCard Card { get; }

    public string Id => Card.Id;

    /// <summary>Catalog indexes of the model's inputs, in model column order.</summary>
    public IReadOnlyList<int> Columns => _columns;

    /// <summary>Loads card.json and its model file from <paramref name="directory"/>.</summary>
    public static RealBogusModel Load(string directory)
    {
        var (card, bytes, modelPath) = ModelDirectory.Read(directory, "broker train rb");
        var columns = new int[card.Features.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = FeatureCatalog.TryGet(card.Features[i], out var info)
                ? info.Index
                : throw new ModelLoadException($"Model {card.Id} needs feature '{card.Features[i]}', which this broker does not compute.");
        }

        Booster booster;
        try
        {
            booster = Booster.Load(bytes);
        }
        catch (XgboostException e)
        {
            throw new ModelLoadException($"{modelPath}: {e.Message}", e);
        }

        if (booster.FeatureCount != columns.Length)
        {
            booster.Dispose();
            throw new ModelLoadException($"{modelPath} expects {booster.FeatureCount} features, its card lists {columns.Length}.");
        }

        return new RealBogusModel(card, booster, columns);
    }

    /// <summary>Wraps a freshly trained booster (used by the trainer before the card is written).</summary>
    public static RealBogusModel FromTrained(ModelCard card, Booster booster, int[] columns) => new(card, booster, columns);

    /// <summary>Scores <paramref name="count"/> full feature vectors (FeatureCatalog.Count floats each) into <paramref name="scores"/>.</summary>
    public void Score(ReadOnlySpan<float> vectors, int count, Span<float> scores)
    {
        var width = FeatureCatalog.Count;
        if (vectors.Length < count * width)
        {
            throw new ArgumentException($"{count} vectors need {count * width} values.", nameof(vectors));
        }

        var k = _columns.Length;
        var buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, count * k));
        try
        {
            for (var r = 0; r < count; r++)
            {
                var row = vectors.Slice(r * width, width);
                var target = buffer.AsSpan(r * k, k);
                for (var c = 0; c < k; c++)
                {
                    target[c] = row[_columns[c]];
                }
            }

            _booster.Predict(buffer.AsSpan(0, count * k), count, scores);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    public float Score(ReadOnlySpan<float> vector)
    {
        Span<float> one = stackalloc float[1];
        Score(vector, 1, one);
        return one[0];
    }

    public void Dispose() => _booster.Dispose();
}
