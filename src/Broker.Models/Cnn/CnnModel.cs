// The cutout CNN: an ONNX model over preprocessed triplets ([N, 3, 63, 63] -> [N, 1] real probability).
// Loading checks the model file's sha256 against its card, and that the model's own declared input, output and
// preprocessing (read from the model, not assumed) are the ones CutoutTensor produces.
using Broker.Models.Cards;
using Broker.Models.Onnx;

namespace Broker.Models.Cnn;

public sealed class CnnModel : IDisposable
{
    /// <summary>Largest batch one Run gets: ORT's arena grows with the largest batch it has seen, so this caps memory.</summary>
    public const int MaxBatch = 64;

    public const string Kind = "real-bogus/cnn-onnx";

    private readonly OrtSession _session;

    private CnnModel(ModelCard card, OrtSession session)
    {
        Card = card;
        _session = session;
    }

    public ModelCard Card { get; }

    public string Id => Card.Id;

    public OrtSession Session => _session;

    public static CnnModel Load(string directory, OrtSessionOptions? options = null)
    {
        var (card, bytes, modelPath) = ModelDirectory.Read(directory, "broker train cnn");
        if (card.Kind != Kind)
        {
            throw new ModelLoadException($"{directory} holds a {card.Kind} model, not a {Kind} model.");
        }

        OrtSession session;
        try
        {
            session = OrtSession.FromBytes(bytes, options, modelPath);
        }
        catch (OrtException e)
        {
            throw new ModelLoadException($"{modelPath} cannot be loaded: {e.Message}", e);
        }

        try
        {
            Check(session, card, modelPath);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        return new CnnModel(card, session);
    }

    /// <summary>
    /// Scores <paramref name="count"/> triplets (CutoutTensor.Length values each) into <paramref name="scores"/>,
    /// in runs of at most MaxBatch.
    /// </summary>
    public void Score(ReadOnlySpan<float> tensors, int count, Span<float> scores)
    {
        if (tensors.Length < count * CutoutTensor.Length || scores.Length < count)
        {
            throw new ArgumentException($"{count} triplets need {count * CutoutTensor.Length} values and {count} score slots.");
        }

        Span<long> shape = [0, CutoutTensor.Channels, CutoutTensor.Size, CutoutTensor.Size];
        for (var start = 0; start < count; start += MaxBatch)
        {
            var n = Math.Min(MaxBatch, count - start);
            shape[0] = n;
            _session.Run(tensors.Slice(start * CutoutTensor.Length, n * CutoutTensor.Length), shape, scores.Slice(start, n));
        }
    }

    public void Dispose() => _session.Dispose();

    private static void Check(OrtSession session, ModelCard card, string path)
    {
        var expected = $"float[N, {CutoutTensor.Channels}, {CutoutTensor.Size}, {CutoutTensor.Size}] -> float[N, 1]";
        var ok = session.Inputs.Count == 1 && session.Outputs.Count == 1
            && session.Inputs[0].ElementType == OrtElementType.Float && session.Outputs[0].ElementType == OrtElementType.Float
            && session.Inputs[0].Shape.SequenceEqual([-1L, CutoutTensor.Channels, CutoutTensor.Size, CutoutTensor.Size])
            && session.Outputs[0].Shape.SequenceEqual([-1L, 1L]);
        if (!ok)
        {
            throw new ModelLoadException(
                $"{path} takes [{string.Join("; ", session.Inputs)}] and gives [{string.Join("; ", session.Outputs)}]; the broker feeds {expected}.");
        }

        session.Metadata.Custom.TryGetValue("broker.preprocessing", out var declared);
        if (declared != CutoutTensor.Version || card.Preprocessing != CutoutTensor.Version)
        {
            throw new ModelLoadException(
                $"{path} was trained on preprocessing '{declared ?? "(none declared)"}' (card: '{card.Preprocessing}'); this broker computes '{CutoutTensor.Version}'.");
        }
    }
}
