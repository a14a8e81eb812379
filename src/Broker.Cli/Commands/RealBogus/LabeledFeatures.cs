// Generates a labeled set and measures it the way the broker measures live alerts: each generated alert is
// encoded as an Avro container file, decoded by AlertDecoder, and its features extracted (both cores in use);
// on request also its CNN input tensor (CutoutTensor), so trees and CNN are measured on the very same alerts.
using Broker.Alerts.Decoding;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Models.Cnn;
using Broker.Models.Evaluation;
using Broker.Simulation.Generation;

namespace Broker.Cli.Commands.RealBogus;

internal sealed record LabeledFeatures(float[] Vectors, LabeledAlert[] Alerts, float[]? Tensors = null)
{
    /// <summary>Whether each decoded alert's difference is positive (what likely_real's `positive` reads).</summary>
    public bool[] Positive { get; private init; } = new bool[Alerts.Length];

    public int Count => Alerts.Length;

    public float[] Labels => [.. Alerts.Select(a => a.IsReal ? 1f : 0f)];

    public static LabeledFeatures Generate(LabeledSetGenerator generator, int count, bool withTensors = false)
    {
        var width = FeatureCatalog.Count;
        var vectors = new float[count * width];
        var tensors = withTensors ? new float[(long)count * CutoutTensor.Length] : null;
        var alerts = new LabeledAlert[count];
        var positive = new bool[count];
        using var decoders = new ThreadLocal<AlertDecoder>(() => new AlertDecoder());
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var labeled = generator.Generate(i);
            var alert = decoders.Value!.Decode(labeled.Message)[0];
            positive[i] = alert.IsPositive;
            AlertFeatures.Extract(alert, vectors.AsSpan(i * width, width));
            if (tensors is not null)
            {
                CutoutTensor.Write(alert, tensors.AsSpan(i * CutoutTensor.Length, CutoutTensor.Length));
            }

            alerts[i] = labeled with { Message = [] }; // keep the truth, drop the bytes
        });
        return new LabeledFeatures(vectors, alerts, tensors) { Positive = positive };
    }

    /// <summary>The scores as likely_real sees them, grouped by host scene (for <see cref="ThresholdPass"/>).</summary>
    public IReadOnlyList<GatedScore> Gated(ReadOnlySpan<float> scores)
    {
        var list = new List<GatedScore>(Count);
        for (var i = 0; i < Count; i++)
        {
            list.Add(new GatedScore(scores[i], Alerts[i].IsReal, Alerts[i].Family.Name(), Positive[i], Alerts[i].SceneAlertId.GetHashCode()));
        }

        return list;
    }

    public IReadOnlyList<LabeledScore> Scored(ReadOnlySpan<float> scores)
    {
        var list = new List<LabeledScore>(Count);
        for (var i = 0; i < Count; i++)
        {
            list.Add(new LabeledScore(scores[i], Alerts[i].IsReal, Alerts[i].Family.Name(), Alerts[i].TargetSnr));
        }

        return list;
    }
}
