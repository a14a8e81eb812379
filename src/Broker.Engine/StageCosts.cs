// What each stage of the engine costs on one core, measured on given alert messages with the engine's own models:
// decode (Avro, cutout gunzip, FITS), stamps and features, trees, the CNN (its tensors written, then scored at the
// batch size the engine serves with), novelty (the survey's current snapshot) and output encoding (full and light).
// Their sum is what an alert needs at the least; `broker bench e2e` prints it beside the CPU the whole process spent
// per alert in the same run, so what plumbing costs (Kafka, grain calls, thread hops, allocation) is a number.
using System.Buffers;
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Engine.Scoring;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Features.Stamps;
using Broker.Models.Cnn;
using Broker.Novelty.Snapshots;

namespace Broker.Engine;

/// <summary>Microseconds of CPU per alert of each stage, on one thread.</summary>
public sealed record StageCosts(int Alerts, double Decode, double Features, double Trees, double Cnn, double Novelty, double Encode)
{
    public double Sum => Decode + Features + Trees + Cnn + Novelty + Encode;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"decode {Decode:F0} us, features {Features:F0}, trees {Trees:F0}, CNN {Cnn:F0}, novelty {Novelty:F0}, encode {Encode:F0}: {Sum:F0} us per alert ({Alerts} alerts)");

    // Microseconds of this thread's CPU since the last restart.
    private sealed class Lap
    {
        private double _start = ThreadCpuClock.NowMicroseconds();

        public double Elapsed => ThreadCpuClock.NowMicroseconds() - _start;

        public void Restart() => _start = ThreadCpuClock.NowMicroseconds();
    }

    /// <summary>Measures every stage over <paramref name="messages"/> with <paramref name="engine"/>'s models, batching the CNN by <paramref name="cnnBatch"/>.</summary>
    public static async Task<StageCosts> MeasureAsync(AlertEngine engine, IReadOnlyList<byte[]> messages, int cnnBatch = 16)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(messages);
        // Twice: the first pass brings every stage's code to its optimised tier; the second is measured.
        _ = await MeasureOnceAsync(engine, messages, cnnBatch).ConfigureAwait(false);
        return await MeasureOnceAsync(engine, messages, cnnBatch).ConfigureAwait(false);
    }

    private static async Task<StageCosts> MeasureOnceAsync(AlertEngine engine, IReadOnlyList<byte[]> messages, int cnnBatch)
    {
        var clock = new Lap();
        var alerts = new List<Alert>();
        foreach (var message in messages)
        {
            alerts.AddRange(engine.Decode(message));
        }

        var decode = clock.Elapsed;
        var n = alerts.Count;
        var features = new float[n * FeatureCatalog.Count];
        var tensors = ArrayPool<float>.Shared.Rent(n * CutoutTensor.Length);
        double featureTime = 0, tensorTime = 0;
        try
        {
            for (var i = 0; i < n; i++)
            {
                clock.Restart();
                using var stamps = TripletStamps.Prepare(alerts[i]);
                AlertFeatures.Extract(alerts[i], stamps, features.AsSpan(i * FeatureCatalog.Count, FeatureCatalog.Count));
                featureTime += clock.Elapsed;
                clock.Restart();
                CutoutTensor.Write(stamps.Science, stamps.Template, stamps.Difference, tensors.AsSpan(i * CutoutTensor.Length, CutoutTensor.Length));
                tensorTime += clock.Elapsed;
            }

            var rb = new float[n];
            clock.Restart();
            engine.Models.Trees.Score(features, n, rb);
            var trees = clock.Elapsed;

            double cnn = 0;
            if (engine.Models.Cnn is { } model)
            {
                var scores = new float[cnnBatch];
                clock.Restart();
                for (var start = 0; start < n; start += cnnBatch)
                {
                    var count = Math.Min(cnnBatch, n - start);
                    model.Score(tensors.AsSpan(start * CutoutTensor.Length, count * CutoutTensor.Length), count, scores);
                }

                cnn = clock.Elapsed + tensorTime;
            }

            clock.Restart();
            for (var i = 0; i < n; i++)
            {
                if (engine.Novelty.Current(alerts[i].Survey) is { } snapshot)
                {
                    snapshot.Score(features.AsSpan(i * FeatureCatalog.Count, FeatureCatalog.Count), new NoveltyResult(snapshot.Subspaces.Count));
                }
            }

            var novelty = clock.Elapsed;

            var annotations = new AlertAnnotation[n];
            for (var i = 0; i < n; i++)
            {
                annotations[i] = await engine.AnnotateAsync(alerts[i], new SourcePosition("stage-costs", 0, i), 0, NoveltyUse.CurrentOnly, CancellationToken.None).ConfigureAwait(false);
            }

            clock.Restart();
            for (var i = 0; i < n; i++)
            {
                engine.Encode(Payload.Full, alerts[i], annotations[i], 0);
                engine.Encode(Payload.Light, alerts[i], annotations[i], 0);
            }

            var encode = clock.Elapsed;
            return new StageCosts(n, decode / n, featureTime / n, trees / n, cnn / n, novelty / n, encode / n);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensors);
        }
    }
}
