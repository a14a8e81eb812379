// Generates a labeled set and measures it the way the broker measures live alerts: each generated alert is
// encoded as an Avro container file, decoded by AlertDecoder, and its features extracted (both cores in use).
using Broker.Alerts.Decoding;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Models.Evaluation;
using Broker.Simulation.Generation;

namespace Broker.Cli.Commands.RealBogus;

internal sealed record LabeledFeatures(float[] Vectors, LabeledAlert[] Alerts)
{
    public int Count => Alerts.Length;

    public float[] Labels => [.. Alerts.Select(a => a.IsReal ? 1f : 0f)];

    public static LabeledFeatures Generate(LabeledSetGenerator generator, int count)
    {
        var width = FeatureCatalog.Count;
        var vectors = new float[count * width];
        var alerts = new LabeledAlert[count];
        using var decoders = new ThreadLocal<AlertDecoder>(() => new AlertDecoder());
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var labeled = generator.Generate(i);
            var alert = decoders.Value!.Decode(labeled.Message)[0];
            AlertFeatures.Extract(alert, vectors.AsSpan(i * width, width));
            alerts[i] = labeled with { Message = [] }; // keep the truth, drop the bytes
        });
        return new LabeledFeatures(vectors, alerts);
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
