using System.Text.Json.Nodes;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Models.Cards;
using Broker.Models.Evaluation;
using Broker.Models.RealBogus;
using Broker.Simulation.Generation;

namespace Broker.Models.Tests;

public sealed class RealBogusModelTests
{
    /// <summary>The trees model the repository ships (models/rb), which the CNN cards' stacking weights name.</summary>
    public static string ShippedId => RealBogusModel.Load(TestData.ShippedModel).Id;

    [Fact]
    public void Shipped_model_meets_the_missed_detection_target_on_held_out_fixture_scenes()
    {
        using var model = RealBogusModel.Load(TestData.ShippedModel);
        Assert.NotEmpty(TestData.Scenes.HeldOut);
        var generator = new LabeledSetGenerator(TestData.Scenes.HeldOut, seed: 2);
        var decoder = new AlertDecoder();
        var width = FeatureCatalog.Count;
        const int n = 1600;
        var vectors = new float[n * width];
        var truth = new LabeledAlert[n];
        for (var i = 0; i < n; i++)
        {
            truth[i] = generator.Generate(i);
            AlertFeatures.Extract(decoder.Decode(truth[i].Message)[0], vectors.AsSpan(i * width, width));
        }

        var scores = new float[n];
        model.Score(vectors, n, scores);
        var report = ClassifierReport.Of([.. truth.Select((t, i) => new LabeledScore(scores[i], t.IsReal, t.Family.Name(), t.TargetSnr))]);
        // The bar: at most 5% missed detections at 1% false positives (Brink et al. 2013: 7.7%).
        Assert.True(report.MissedAt1PctFpr <= 0.05, report.ToText("fixture held-out"));
        Assert.True(report.Auc > 0.99, report.ToText("fixture held-out"));
    }

    [Fact]
    public void Batch_scores_equal_single_scores_and_stay_in_unit_interval_on_real_alerts()
    {
        using var model = RealBogusModel.Load(TestData.ShippedModel);
        var decoder = new AlertDecoder();
        var alerts = FixtureAlertsWithCutouts(decoder).ToList();
        var width = FeatureCatalog.Count;
        var vectors = new float[alerts.Count * width];
        for (var i = 0; i < alerts.Count; i++)
        {
            AlertFeatures.Extract(alerts[i], vectors.AsSpan(i * width, width));
        }

        var batch = new float[alerts.Count];
        model.Score(vectors, alerts.Count, batch);
        for (var i = 0; i < alerts.Count; i++)
        {
            Assert.InRange(batch[i], 0, 1);
            Assert.Equal(batch[i], model.Score(vectors.AsSpan(i * width, width)));
        }
    }

    [Fact]
    public void The_flat_tree_walk_gives_ml_nets_own_scores_on_real_and_generated_alerts()
    {
        using var model = RealBogusModel.Load(TestData.ShippedModel);
        Assert.True(model.ScoresWithFlatTrees);
        var decoder = new AlertDecoder();
        var width = FeatureCatalog.Count;
        var generator = new LabeledSetGenerator(TestData.Scenes.Train, seed: 9);
        var alerts = FixtureAlertsWithCutouts(decoder)
            .Concat(Enumerable.Range(0, 400).Select(i => decoder.Decode(generator.Generate(i).Message)[0]))
            .ToList();
        var vectors = new float[(alerts.Count + 1) * width];
        for (var i = 0; i < alerts.Count; i++)
        {
            AlertFeatures.Extract(alerts[i], vectors.AsSpan(i * width, width));
        }

        // And one row of NaN (every feature missing): NaN goes right in both.
        vectors.AsSpan(alerts.Count * width, width).Fill(float.NaN);
        var n = alerts.Count + 1;
        var flat = new float[n];
        var reference = new float[n];
        model.Score(vectors, n, flat);
        model.ScoreWithPredictionEngine(vectors, n, reference);
        for (var i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(flat[i] - reference[i]) <= 1e-6f, $"row {i}: flat {flat[i]} vs ML.NET {reference[i]}");
        }

        Assert.Contains(reference, r => r > 0.9f);
        Assert.Contains(reference, r => r < 0.1f);
    }

    [Theory]
    [InlineData("rb")]
    [InlineData("cnn")]
    [InlineData("cnn-int8")]
    public void Shipped_cards_read_and_write_back_unchanged(string model)
    {
        // The commands that rewrite a card (train stack) read it and write it back: nothing may be lost or renamed.
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "models", model, ModelCard.FileName));
        Assert.Equal(text.TrimEnd(), ModelCard.FromJson(text).ToJson().TrimEnd());
    }

    [Fact]
    public void Model_files_are_checked_on_load()
    {
        var dir = Directory.CreateTempSubdirectory("rb-model-").FullName;
        try
        {
            Assert.Contains("No model card", Assert.Throws<ModelLoadException>(() => RealBogusModel.Load(dir)).Message, StringComparison.Ordinal);

            foreach (var f in Directory.GetFiles(TestData.ShippedModel))
            {
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            }

            using (RealBogusModel.Load(dir))
            {
            }

            var card = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, ModelCard.FileName)))!.AsObject();
            var modelFile = Path.Combine(dir, card["model_file"]!.GetValue<string>());
            var original = File.ReadAllBytes(modelFile);
            File.WriteAllBytes(modelFile, [.. original.Take(original.Length - 10)]);
            Assert.Contains("sha256", Assert.Throws<ModelLoadException>(() => RealBogusModel.Load(dir)).Message, StringComparison.Ordinal);
            File.WriteAllBytes(modelFile, original);

            card["features"]![0] = "no_such_feature";
            File.WriteAllText(Path.Combine(dir, ModelCard.FileName), card.ToJsonString());
            Assert.Contains("no_such_feature", Assert.Throws<ModelLoadException>(() => RealBogusModel.Load(dir)).Message, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(dir, ModelCard.FileName), "{ not json");
            Assert.Contains("not a valid model card", Assert.Throws<ModelLoadException>(() => RealBogusModel.Load(dir)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Shipped_card_describes_its_inputs_data_parameters_metrics_and_checksum()
    {
        using var model = RealBogusModel.Load(TestData.ShippedModel);
        var card = model.Card;
        Assert.Equal(FeatureCatalog.InGroup(FeatureGroup.Pixel).Select(f => f.Name), card.Features);
        Assert.Equal(64, card.Sha256.Length);
        Assert.True(card.Training["train_alerts"]!.GetValue<int>() >= 10000);
        // The card's held-out set is drawn from the 156 held-out scenes of ../shared (more and harder scenes than the
        // fixtures, where the 5% bar is asserted above; the model before, trained on twice the scenes before the
        // evaluation half was kept out of them, missed 5.6% there: docs/models.md).
        Assert.True(card.Metrics["held_out"]!["mdr_at_1pct_fpr"]!.GetValue<double>() <= 0.07);
        Assert.NotNull(card.Metrics["real_alerts"]!["spearman_drb"]);
        // Trained with the confidently labelled real alerts of the training half, and says so.
        Assert.True(card.Training["real_labels"]!["alerts"]!.GetValue<int>() > 0);
        Assert.Equal("1", card.Parameters["threads"]);
        Assert.Equal(RealBogusModel.Kind, card.Kind);
    }

    /// <summary>The decodable fixture alerts that carry FITS cutouts (the others have no pixel features).</summary>
    private static IEnumerable<Alert> FixtureAlertsWithCutouts(AlertDecoder decoder) =>
        Directory.EnumerateFiles(TestData.Fixtures, "*.avro", SearchOption.AllDirectories)
            .SelectMany(f =>
            {
                try
                {
                    return decoder.Decode(File.ReadAllBytes(f));
                }
                catch (AlertDecodeException)
                {
                    return [];
                }
            })
            .Where(a => a.Difference.Status == CutoutStatus.Fits);
}
