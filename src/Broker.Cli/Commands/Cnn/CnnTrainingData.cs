// Writes the data folder training/train_cnn.py reads: generated triplets as float32 .npy (computed by
// CutoutTensor, the code inference runs), their labels, and the recorded inputs whose torch outputs the tests
// compare with ONNX Runtime. The training set is streamed to disk in chunks (40,000 triplets are 1.9 GB).
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Cli.Commands.RealBogus;
using Broker.Models.Cnn;
using Broker.Simulation.Generation;

namespace Broker.Cli.Commands.Cnn;

internal static class CnnTrainingData
{
    private const int Chunk = 1024;

    /// <summary>
    /// Writes <paramref name="name"/>.npy and <paramref name="name"/>_labels.npy for alerts 0..count-1 of the generator,
    /// followed by <paramref name="real"/>'s tensors (real labelled alerts) repeated Copies times.
    /// </summary>
    public static void WriteGenerated(LabeledSetGenerator generator, int count, string dir, string name, (float[] Tensors, float[] Labels, int Copies)? real = null)
    {
        var extra = real is { } r ? r.Labels.Length * r.Copies : 0;
        var labels = new float[count + extra];
        var buffer = new float[Chunk * CutoutTensor.Length];
        using (var stream = new FileStream(Path.Combine(dir, name + ".npy"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            NpyFile.WriteHeader(stream, [count + extra, CutoutTensor.Channels, CutoutTensor.Size, CutoutTensor.Size]);
            using var decoders = new ThreadLocal<AlertDecoder>(() => new AlertDecoder());
            for (var start = 0; start < count; start += Chunk)
            {
                var n = Math.Min(Chunk, count - start);
                Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, j =>
                {
                    var labeled = generator.Generate(start + j);
                    var alert = decoders.Value!.Decode(labeled.Message)[0];
                    CutoutTensor.Write(alert, buffer.AsSpan(j * CutoutTensor.Length, CutoutTensor.Length));
                    labels[start + j] = labeled.IsReal ? 1f : 0f;
                });
                NpyFile.WriteValues(stream, buffer.AsSpan(0, n * CutoutTensor.Length));
            }

            for (var copy = 0; real is { } rr && copy < rr.Copies; copy++)
            {
                NpyFile.WriteValues(stream, rr.Tensors);
                rr.Labels.CopyTo(labels, count + (copy * rr.Labels.Length));
            }
        }

        NpyFile.Write(Path.Combine(dir, name + "_labels.npy"), labels, [count + extra]);
    }

    public static void WriteTensors(string dir, string name, ReadOnlySpan<float> tensors, int count, ReadOnlySpan<float> labels)
    {
        NpyFile.Write(Path.Combine(dir, name + ".npy"), tensors[..(count * CutoutTensor.Length)], [count, CutoutTensor.Channels, CutoutTensor.Size, CutoutTensor.Size]);
        if (!labels.IsEmpty)
        {
            NpyFile.Write(Path.Combine(dir, name + "_labels.npy"), labels, [count]);
        }
    }

    /// <summary>
    /// The recorded inputs: every fixture alert with FITS cutouts (so a test can recompute them on a fresh clone),
    /// then generated held-out triplets up to <paramref name="total"/>. Returns the rows' descriptions (recorded.tsv).
    /// </summary>
    public static string WriteRecorded(string dir, string fixtures, LabeledFeatures heldOut, int total)
    {
        var rows = new StringBuilder("row\tsource\talert_id\n");
        var tensors = new List<float[]>();
        var decoder = new AlertDecoder();
        foreach (var (item, alerts) in Broker.Archive.AlertSources.Open([fixtures]).Alerts(decoder))
        {
            var file = item.Path;

            for (var k = 0; k < alerts.Count && tensors.Count < total; k++)
            {
                var a = alerts[k];
                if (a.Science.Image is null || a.Template.Image is null || a.Difference.Image is null)
                {
                    continue;
                }

                var t = new float[CutoutTensor.Length];
                CutoutTensor.Write(a, t);
                rows.Append(CultureInfo.InvariantCulture, $"{tensors.Count}\tfixture:{Path.GetRelativePath(fixtures, file)}#{k}\t{a.AlertId}\n");
                tensors.Add(t);
            }
        }

        for (var i = 0; tensors.Count < total && i < heldOut.Count; i++)
        {
            rows.Append(CultureInfo.InvariantCulture, $"{tensors.Count}\tgenerated:{heldOut.Alerts[i].Family.Name()}\t{heldOut.Alerts[i].AlertId}\n");
            tensors.Add(heldOut.Tensors.AsSpan(i * CutoutTensor.Length, CutoutTensor.Length).ToArray());
        }

        var all = tensors.SelectMany(t => t).ToArray();
        NpyFile.Write(Path.Combine(dir, "recorded.npy"), all, [tensors.Count, CutoutTensor.Channels, CutoutTensor.Size, CutoutTensor.Size]);
        File.WriteAllText(Path.Combine(dir, "recorded.tsv"), rows.ToString());
        return rows.ToString();
    }

    public static void WriteMeta(string dir, JsonObject training)
    {
        var meta = new JsonObject { ["preprocessing"] = CutoutTensor.Version, ["made_by"] = training.DeepClone() };
        File.WriteAllText(Path.Combine(dir, "meta.json"), meta.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }
}
