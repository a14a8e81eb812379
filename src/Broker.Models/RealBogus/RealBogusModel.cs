// The real/bogus scorer: ML.NET FastTree boosted trees (Platt-calibrated probability) over the model's feature
// columns, scored straight from full feature vectors (the model picks its columns). Loading checks the model file's
// sha256 against its card and that every feature the model needs still exists in the catalog.
//
// Scoring walks the model's trees copied into a flat array (FlatTreeEnsemble: ~17 us an alert against ~30 for ML.NET's
// PredictionEngine for this model, docs/performance.md), and falls back to ML.NET's PredictionEngine (pooled: an
// engine is not thread-safe) for a model the flat walk does not cover. `ScoreWithPredictionEngine` is ML.NET's own
// answer, which the tests compare the flat walk with.
using System.Collections.Concurrent;
using Broker.Features.Catalog;
using Broker.Models.Cards;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Broker.Models.RealBogus;

public sealed class RealBogusModel : IDisposable
{
    public const string Kind = "real-bogus/mlnet-fasttree-binary";

    private readonly MLContext _ml;
    private readonly ITransformer _transformer;
    private readonly SchemaDefinition _inputSchema;
    private readonly ConcurrentBag<Engine> _engines = [];
    private readonly int[] _columns;
    private readonly FlatTreeEnsemble? _flat;

    private RealBogusModel(ModelCard card, MLContext ml, ITransformer transformer, int[] columns)
    {
        Card = card;
        _ml = ml;
        _transformer = transformer;
        _columns = columns;
        _flat = (transformer as ISingleFeaturePredictionTransformer<object>)?.Model is CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> calibrated
            ? FlatTreeEnsemble.From(calibrated, columns.Length)
            : null;
        _inputSchema = SchemaDefinition.Create(typeof(InputRow));
        _inputSchema[nameof(InputRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, columns.Length);
    }

    public ModelCard Card { get; }

    public string Id => Card.Id;

    /// <summary>Catalog indexes of the model's inputs, in model column order.</summary>
    public IReadOnlyList<int> Columns => _columns;

    /// <summary>Loads card.json and its model file from <paramref name="directory"/>.</summary>
    public static RealBogusModel Load(string directory)
    {
        var (card, bytes, modelPath) = ModelDirectory.Read(directory, "broker train rb");
        if (card.Kind != Kind)
        {
            throw new ModelLoadException($"{directory} holds a {card.Kind} model, not a {Kind} model: retrain it with `broker train rb`.");
        }

        return FromBytes(card, bytes, modelPath);
    }

    /// <summary>Loads a model file's bytes under <paramref name="card"/> (the trainer uses this before it writes the card).</summary>
    public static RealBogusModel FromBytes(ModelCard card, byte[] bytes, string origin = "model")
    {
        ArgumentNullException.ThrowIfNull(card);
        var columns = new int[card.Features.Count];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = FeatureCatalog.TryGet(card.Features[i], out var info)
                ? info.Index
                : throw new ModelLoadException($"Model {card.Id} needs feature '{card.Features[i]}', which this broker does not compute.");
        }

        var ml = new MLContext();
        ITransformer transformer;
        DataViewSchema schema;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            transformer = ml.Model.Load(stream, out schema);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or ArgumentException)
        {
            throw new ModelLoadException($"{origin} is not a readable ML.NET model: {e.Message}", e);
        }

        var input = schema.GetColumnOrNull(nameof(InputRow.Features))?.Type;
        if (input is not VectorDataViewType { Size: var size } || size != columns.Length)
        {
            throw new ModelLoadException($"{origin} expects Features {input?.ToString() ?? "(none)"}, its card lists {columns.Length} features.");
        }

        var model = new RealBogusModel(card, ml, transformer, columns);
        if (model._flat is null)
        {
            model.Return(model.Rent()); // the engine scores: fail now, not on the first alert, if it gives no calibrated probability
        }
        return model;
    }

    /// <summary>Whether scores come from the flat tree walk (true for every FastTree model without categorical splits).</summary>
    public bool ScoresWithFlatTrees => _flat is not null;

    /// <summary>Scores <paramref name="count"/> full feature vectors (FeatureCatalog.Count floats each) into <paramref name="scores"/>.</summary>
    public void Score(ReadOnlySpan<float> vectors, int count, Span<float> scores)
    {
        if (_flat is null)
        {
            ScoreWithPredictionEngine(vectors, count, scores);
            return;
        }

        Check(vectors, count, scores);
        var width = FeatureCatalog.Count;
        Span<float> row = stackalloc float[_columns.Length];
        for (var r = 0; r < count; r++)
        {
            Gather(vectors.Slice(r * width, width), row);
            scores[r] = _flat.Probability(row);
        }
    }

    /// <summary>ML.NET's own PredictionEngine answer for the same vectors (the reference the flat walk is tested against).</summary>
    public void ScoreWithPredictionEngine(ReadOnlySpan<float> vectors, int count, Span<float> scores)
    {
        Check(vectors, count, scores);
        var width = FeatureCatalog.Count;
        var engine = Rent();
        try
        {
            var row = engine.Input.Features;
            for (var r = 0; r < count; r++)
            {
                Gather(vectors.Slice(r * width, width), row);
                engine.Predictor.Predict(engine.Input, ref engine.Output);
                scores[r] = engine.Output.Probability;
            }
        }
        finally
        {
            Return(engine);
        }
    }

    /// <summary>The model's columns of one full feature vector, in model order.</summary>
    private void Gather(ReadOnlySpan<float> vector, Span<float> row)
    {
        for (var c = 0; c < row.Length; c++)
        {
            row[c] = vector[_columns[c]];
        }
    }

    private static void Check(ReadOnlySpan<float> vectors, int count, Span<float> scores)
    {
        var width = FeatureCatalog.Count;
        if (vectors.Length < count * width)
        {
            throw new ArgumentException($"{count} vectors need {count * width} values.", nameof(vectors));
        }

        if (scores.Length < count)
        {
            throw new ArgumentException($"{count} vectors need {count} score slots.", nameof(scores));
        }
    }

    public float Score(ReadOnlySpan<float> vector)
    {
        Span<float> one = stackalloc float[1];
        Score(vector, 1, one);
        return one[0];
    }

    public void Dispose()
    {
        while (_engines.TryTake(out var engine))
        {
            engine.Predictor.Dispose();
        }
    }

    private Engine Rent()
    {
        if (_engines.TryTake(out var engine))
        {
            return engine;
        }

        try
        {
            var predictor = _ml.Model.CreatePredictionEngine<InputRow, OutputRow>(_transformer, inputSchemaDefinition: _inputSchema);
            return new Engine(predictor, new InputRow { Features = new float[_columns.Length] });
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new ModelLoadException($"Model {Card.Id} does not give a calibrated real/bogus probability: {e.Message}", e);
        }
    }

    private void Return(Engine engine) => _engines.Add(engine);

    private sealed class Engine(PredictionEngine<InputRow, OutputRow> predictor, InputRow input)
    {
        public PredictionEngine<InputRow, OutputRow> Predictor { get; } = predictor;

        public InputRow Input { get; } = input;

        public OutputRow Output = new();
    }

    /// <summary>The model's input row: its feature columns, in card order.</summary>
    private sealed class InputRow
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>What the calibrated binary classifier gives.</summary>
    private sealed class OutputRow
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
