using System.IO.Compression;
using Broker.Models.Cards;
using Broker.Models.RealBogus;

namespace Broker.Models.Tests;

/// <summary>ML.NET FastTree as the real/bogus trainer: learns, reproduces its file byte for byte, and loads checked.</summary>
public sealed class FastTreeTrainingTests
{
    // Three features; the label is feature 0 > 0.5, feature 2 is noise with NaN gaps (as masked pixels give).
    private static List<RealBogusTrainer.TrainingRow> Separable(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(i =>
        {
            float[] row = [(float)random.NextDouble(), (float)random.NextDouble(), i % 7 == 0 ? float.NaN : (float)random.NextDouble()];
            return new RealBogusTrainer.TrainingRow { Features = row, Label = row[0] > 0.5f };
        })];
    }

    private static ModelCard Card(byte[] bytes, string[]? features = null) => new()
    {
        Id = "test",
        Kind = RealBogusModel.Kind,
        ModelFile = "rb.fasttree.zip",
        Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
        Created = "2026-11-30",
        Library = "test",
        Features = features ?? ["diff_peak_snr", "diff_peak_offset", "diff_gauss_amp"],
        Parameters = new Dictionary<string, string>(),
        Training = new System.Text.Json.Nodes.JsonObject(),
        Metrics = new System.Text.Json.Nodes.JsonObject(),
    };

    [Fact]
    public void Same_data_and_seed_give_the_same_file_and_the_model_learns_the_rule()
    {
        var rows = Separable(3000, 1);
        var a = RealBogusTrainer.Train(rows, 3, seed: 7, trees: 40, leaves: 8);
        var b = RealBogusTrainer.Train(rows, 3, seed: 7, trees: 40, leaves: 8);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(a)), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(b)));
        using (var zip = new ZipArchive(new MemoryStream(a)))
        {
            Assert.All(zip.Entries, e => Assert.Equal(ModelZip.EntryTime, e.LastWriteTime));
        }

        using var model = RealBogusModel.FromBytes(Card(a), a);
        var width = Features.Catalog.FeatureCatalog.Count;
        var vectors = new float[4 * width];
        float[][] probes = [[0.9f, 0.1f, 0.5f], [0.1f, 0.9f, 0.5f], [0.8f, 0.5f, float.NaN], [0.2f, 0.5f, float.NaN]];
        for (var i = 0; i < probes.Length; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                vectors[(i * width) + model.Columns[c]] = probes[i][c];
            }
        }

        var scores = new float[4];
        model.Score(vectors, 4, scores);
        Assert.True(scores[0] > 0.9 && scores[2] > 0.9, $"reals scored {scores[0]}, {scores[2]}");
        Assert.True(scores[1] < 0.1 && scores[3] < 0.1, $"bogus scored {scores[1]}, {scores[3]}");
        Assert.Equal(scores[2], model.Score(vectors.AsSpan(2 * width, width)));
    }

    [Fact]
    public void Another_seed_gives_another_file()
    {
        var rows = Separable(2000, 2);
        Assert.NotEqual(RealBogusTrainer.Train(rows, 3, seed: 1, trees: 20, leaves: 8), RealBogusTrainer.Train(rows, 3, seed: 2, trees: 20, leaves: 8, learningRate: 0.1));
    }

    [Fact]
    public void Unreadable_or_mismatched_model_bytes_are_model_load_errors()
    {
        var random = new byte[2048];
        new Random(5).NextBytes(random);
        Assert.Contains("not a readable ML.NET model", Assert.Throws<ModelLoadException>(() => RealBogusModel.FromBytes(Card(random), random)).Message, StringComparison.Ordinal);

        var bytes = RealBogusTrainer.Train(Separable(500, 3), 3, seed: 1, trees: 5, leaves: 4);
        var twoFeatures = Card(bytes, ["diff_peak_snr", "diff_peak_offset"]);
        Assert.Contains("its card lists 2 features", Assert.Throws<ModelLoadException>(() => RealBogusModel.FromBytes(twoFeatures, bytes)).Message, StringComparison.Ordinal);
    }
}
