using System.Globalization;
using System.Security.Cryptography;
using Broker.Alerts.Decoding;
using Broker.Models.Cards;
using Broker.Models.Cnn;
using Broker.Models.Onnx;

namespace Broker.Models.Tests;

public sealed class CnnModelTests
{
    [Fact]
    public void Shipped_model_declares_the_triplet_input_and_the_preprocessing_it_was_trained_on()
    {
        using var model = CnnModel.Load(TestData.ShippedCnn);
        Assert.Equal([-1L, 3, 63, 63], model.Session.Inputs[0].Shape);
        Assert.Equal([-1L, 1], model.Session.Outputs[0].Shape);
        Assert.Equal(CutoutTensor.Version, model.Session.Metadata.Custom["broker.preprocessing"]);
        Assert.Equal(CutoutTensor.Version, model.Card.Preprocessing);
        Assert.StartsWith("cnn-onnx-", model.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void Onnx_runtime_matches_torch_on_the_recorded_inputs_within_1e_5()
    {
        using var model = CnnModel.Load(TestData.ShippedCnn);
        var (inputs, shape) = NpyFile.Read(Path.Combine(TestData.ShippedCnn, "recorded_inputs.npy"));
        var (torch, _) = NpyFile.Read(Path.Combine(TestData.ShippedCnn, "recorded_outputs.npy"));
        Assert.Equal([shape[0], 3, 63, 63], shape);
        Assert.True(shape[0] >= 30);
        var scores = new float[shape[0]];
        model.Score(inputs, shape[0], scores);
        for (var i = 0; i < scores.Length; i++)
        {
            Assert.True(Math.Abs(scores[i] - torch[i]) <= 1e-5, $"row {i}: ONNX Runtime {scores[i]}, torch {torch[i]}");
        }

        // One at a time gives the same as the batch (no cross-talk between batch rows).
        var one = new float[1];
        model.Score(inputs.AsSpan(0, CutoutTensor.Length), 1, one);
        Assert.Equal(scores[0], one[0], 1e-6f);
        Assert.Contains(scores, s => s > 0.5f);
        Assert.Contains(scores, s => s < 0.5f);
    }

    [Fact]
    public void Training_saw_exactly_what_inference_computes_for_the_same_fixture_alerts()
    {
        // recorded_inputs.npy was written by `broker train cnn` into the training data folder; its fixture rows are
        // recomputed here from the alert files by the inference path, and must be identical to the bit.
        var (inputs, _) = NpyFile.Read(Path.Combine(TestData.ShippedCnn, "recorded_inputs.npy"));
        var decoder = new AlertDecoder();
        var tensor = new float[CutoutTensor.Length];
        var checkedRows = 0;
        foreach (var line in File.ReadLines(Path.Combine(TestData.ShippedCnn, "recorded_alerts.tsv")).Skip(1))
        {
            var cells = line.Split('\t');
            if (!cells[1].StartsWith("fixture:", StringComparison.Ordinal))
            {
                continue;
            }

            var row = int.Parse(cells[0], CultureInfo.InvariantCulture);
            var (file, index) = (cells[1]["fixture:".Length..].Split('#')[0], int.Parse(cells[1].Split('#')[1], CultureInfo.InvariantCulture));
            var alert = decoder.Decode(File.ReadAllBytes(Path.Combine(TestData.Fixtures, file)))[index];
            Assert.Equal(long.Parse(cells[2], CultureInfo.InvariantCulture), alert.AlertId);
            CutoutTensor.Write(alert, tensor);
            Assert.True(tensor.AsSpan().SequenceEqual(inputs.AsSpan(row * CutoutTensor.Length, CutoutTensor.Length)), $"row {row} ({file}) differs");
            checkedRows++;
        }

        Assert.True(checkedRows >= 15, $"{checkedRows} fixture rows");
    }

    [Fact]
    public void A_model_with_another_input_size_or_a_changed_file_is_refused_with_the_reason()
    {
        using var temp = new TempDirectory();
        var card = ModelCard.FromJson(File.ReadAllText(Path.Combine(TestData.ShippedCnn, ModelCard.FileName)));

        var wrong = File.ReadAllBytes(TestData.OnnxFixture("wrong_size.onnx"));
        var dir = temp.Sub("wrong");
        File.WriteAllBytes(Path.Combine(dir, "cnn.onnx"), wrong);
        File.WriteAllText(Path.Combine(dir, ModelCard.FileName), WithSha(card, wrong).ToJson());
        var e = Assert.Throws<ModelLoadException>(() => CnnModel.Load(dir));
        Assert.Contains("[N, 3, 32, 32]", e.Message, StringComparison.Ordinal);

        var changed = temp.Sub("changed");
        var bytes = File.ReadAllBytes(Path.Combine(TestData.ShippedCnn, "cnn.onnx"));
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(changed, "cnn.onnx"), bytes);
        File.WriteAllText(Path.Combine(changed, ModelCard.FileName), card.ToJson());
        Assert.Contains("sha256", Assert.Throws<ModelLoadException>(() => CnnModel.Load(changed)).Message, StringComparison.Ordinal);

        var corrupt = temp.Sub("corrupt");
        var half = File.ReadAllBytes(Path.Combine(TestData.ShippedCnn, "cnn.onnx"))[..5000];
        File.WriteAllBytes(Path.Combine(corrupt, "cnn.onnx"), half);
        File.WriteAllText(Path.Combine(corrupt, ModelCard.FileName), WithSha(card, half).ToJson());
        Assert.IsType<OrtException>(Assert.Throws<ModelLoadException>(() => CnnModel.Load(corrupt)).InnerException);

        var stale = temp.Sub("stale");
        File.Copy(Path.Combine(TestData.ShippedCnn, "cnn.onnx"), Path.Combine(stale, "cnn.onnx"));
        File.WriteAllText(Path.Combine(stale, ModelCard.FileName), new ModelCard
        {
            Id = card.Id,
            Kind = card.Kind,
            ModelFile = card.ModelFile,
            Sha256 = card.Sha256,
            Created = card.Created,
            Library = card.Library,
            Preprocessing = "some-older-version",
            Parameters = card.Parameters,
            Training = card.Training,
            Metrics = card.Metrics,
        }.ToJson());
        Assert.Contains("some-older-version", Assert.Throws<ModelLoadException>(() => CnnModel.Load(stale)).Message, StringComparison.Ordinal);

        Assert.Contains("No model card", Assert.Throws<ModelLoadException>(() => CnnModel.Load(temp.Sub("empty"))).Message, StringComparison.Ordinal);
    }

    private static ModelCard WithSha(ModelCard card, byte[] bytes) => new()
    {
        Id = card.Id,
        Kind = card.Kind,
        ModelFile = card.ModelFile,
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
        Created = card.Created,
        Library = card.Library,
        Preprocessing = card.Preprocessing,
        Parameters = card.Parameters,
        Training = card.Training,
        Metrics = card.Metrics,
    };

    private sealed class TempDirectory : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("broker-cnn-").FullName;

        public string Sub(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }
}
