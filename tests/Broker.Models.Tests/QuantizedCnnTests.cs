using Broker.Models.Cnn;
using Broker.Models.RealBogus;

namespace Broker.Models.Tests;

/// <summary>
/// The int8 CNN the broker serves is the shipped fp32 network rounded (training/quantize_cnn.py), not another model:
/// same input, preprocessing and stacking weights, scores close to torch's on the recorded inputs, and, as its card
/// records, stacked with the trees in force.
/// </summary>
public sealed class QuantizedCnnTests
{
    [Fact]
    public void Served_int8_model_is_the_fp32_network_quantized_with_the_same_input_and_stacking()
    {
        using var fp32 = CnnModel.Load(TestData.ShippedCnn);
        using var int8 = CnnModel.Load(TestData.ServedCnn);
        Assert.StartsWith("cnn-onnx-int8-", int8.Id, StringComparison.Ordinal);
        Assert.Equal(fp32.Id, int8.Card.Parameters["quantized_from"]);
        Assert.Equal(fp32.Card.Preprocessing, int8.Card.Preprocessing);
        Assert.Equal(fp32.Session.Inputs[0].Shape, int8.Session.Inputs[0].Shape);
        Assert.Equal(CombinedScore.FromParameters(fp32.Card.Parameters), CombinedScore.FromParameters(int8.Card.Parameters));
    }

    [Fact]
    public void Int8_scores_stay_close_to_torch_fp32_on_the_recorded_inputs()
    {
        using var int8 = CnnModel.Load(TestData.ServedCnn);
        var (inputs, shape) = NpyFile.Read(Path.Combine(TestData.ShippedCnn, "recorded_inputs.npy"));
        var (torch, _) = NpyFile.Read(Path.Combine(TestData.ShippedCnn, "recorded_outputs.npy"));
        var scores = new float[shape[0]];
        int8.Score(inputs, shape[0], scores);
        var diffs = scores.Select((s, i) => Math.Abs(s - torch[i])).ToArray();

        // Measured 0.043 max and 0.0027 mean (card: int8_vs_fp32_torch_*); the bounds leave room for kernels that
        // round differently on other CPUs, and are far below what a wrong scale or a lost layer gives (~0.3+).
        Assert.True(diffs.Max() < 0.1, $"max |int8 - fp32| {diffs.Max()}");
        Assert.True(diffs.Average() < 0.01, $"mean |int8 - fp32| {diffs.Average()}");

        // The same verdict at 0.5 on every clear case.
        for (var i = 0; i < scores.Length; i++)
        {
            if (Math.Abs(torch[i] - 0.5f) > 0.1f)
            {
                Assert.Equal(torch[i] > 0.5f, scores[i] > 0.5f);
            }
        }
    }

    [Fact]
    public void Card_records_that_the_stack_beats_both_of_its_models()
    {
        using var int8 = CnnModel.Load(TestData.ServedCnn);
        var metrics = int8.Card.Metrics;
        var cnn = metrics["held_out"]!["mdr_at_1pct_fpr"]!.GetValue<double>();
        var trees = metrics["rb_held_out"]!["mdr_at_1pct_fpr"]!.GetValue<double>();
        var combined = metrics["combined_held_out"]!["mdr_at_1pct_fpr"]!.GetValue<double>();
        // (On the held-out scenes of the expanded ../shared data the CNN, trained on the earlier 202 scenes, misses far
        // more than the trees: docs/models.md. The stack is refitted for the trees in force by `broker train stack`.)
        Assert.True(combined < cnn && combined < trees, $"combined {combined} vs CNN {cnn} and trees {trees}");
        Assert.Equal(RealBogusModelTests.ShippedId, int8.Card.Parameters["combined.rb_model"]);
    }
}
