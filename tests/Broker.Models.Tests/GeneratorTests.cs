using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;
using Broker.Simulation.Writing;

namespace Broker.Models.Tests;

public sealed class GeneratorTests
{
    private static readonly AlertDecoder Decoder = new();

    [Fact]
    public void Scenes_split_train_and_held_out_by_alert_id()
    {
        var scenes = TestData.Scenes;
        Assert.True(scenes.Train.Count >= 5 && scenes.HeldOut.Count >= 2, $"{scenes.Train.Count} / {scenes.HeldOut.Count}");
        Assert.Empty(scenes.Train.Select(s => s.Source.AlertId).Intersect(scenes.HeldOut.Select(s => s.Source.AlertId)));
        Assert.All(scenes.HeldOut, s => Assert.Equal(SceneSplit.HeldOut, SceneLibrary.SplitOf(s.Source.AlertId)));
    }

    [Fact]
    public void Same_seed_and_index_give_the_same_alert_bytes()
    {
        var a = new LabeledSetGenerator(TestData.Scenes.Train, 5);
        var b = new LabeledSetGenerator(TestData.Scenes.Train, 5);
        for (var i = 0; i < 18; i++)
        {
            Assert.Equal(a.Generate(i).Message, b.Generate(i).Message);
        }

        Assert.NotEqual(a.Generate(0).Message, new LabeledSetGenerator(TestData.Scenes.Train, 6).Generate(0).Message);
    }

    [Fact]
    public void Half_the_alerts_are_real_and_every_bogus_family_is_present()
    {
        var families = Enumerable.Range(0, 160).Select(LabeledSetGenerator.FamilyOf).ToList();
        Assert.Equal(80, families.Count(f => f == ArtifactFamily.Real));
        Assert.All(ArtifactFamilies.Bogus, f => Assert.Equal(10, families.Count(x => x == f)));
    }

    [Fact]
    public void Generated_alerts_decode_as_alerts_of_their_scene_survey_with_new_ids_and_no_survey_score()
    {
        var generator = new LabeledSetGenerator(TestData.Scenes.Train, 9);
        for (var i = 0; i < 36; i++)
        {
            var labeled = generator.Generate(i);
            var alert = Assert.Single(Decoder.Decode(labeled.Message));
            var scene = TestData.Scenes.Train.Single(s => s.Source.AlertId == labeled.SceneAlertId);
            Assert.Equal(scene.Source.Survey, alert.Survey);
            Assert.Equal(AlertComposer.AlertId(9, i), alert.AlertId);
            Assert.Null(alert.SurveyScore);
            Assert.Equal(CutoutStatus.Fits, alert.Difference.Status);
            Assert.True(alert.IsPositive);
        }
    }

    [Theory]
    [InlineData(ArtifactFamily.Real)]
    [InlineData(ArtifactFamily.HotPixel)]
    [InlineData(ArtifactFamily.Streak)]
    [InlineData(ArtifactFamily.Edge)]
    [InlineData(ArtifactFamily.Dipole)]
    public void Each_family_shows_its_signature_in_the_features(ArtifactFamily family)
    {
        var generator = new LabeledSetGenerator(TestData.Scenes.Train, 3);
        var indexes = Enumerable.Range(0, 400).Where(i => LabeledSetGenerator.FamilyOf(i) == family).Take(12).ToList();
        var values = indexes.Select(i => AlertFeatures.Extract(Decoder.Decode(generator.Generate(i).Message)[0])).ToList();
        double Median(FeatureId id) => values.Select(v => (double)v[(int)id]).Order().ElementAt(values.Count / 2);
        switch (family)
        {
            case ArtifactFamily.Real:
                Assert.InRange(Median(FeatureId.DiffFwhmOverSeeing), 0.8, 1.4);
                Assert.InRange(Median(FeatureId.DiffMatchedFilterSnr), 5, 500);
                break;
            case ArtifactFamily.HotPixel:
                Assert.InRange(Median(FeatureId.DiffSharpness), 0.7, 1.01);
                break;
            case ArtifactFamily.Streak:
                Assert.True(Median(FeatureId.DiffWideElongation) > 3);
                break;
            case ArtifactFamily.Edge:
                Assert.True(values.All(v => v[(int)FeatureId.StampEdgeDistance] <= 7.5f));
                break;
            default:
                Assert.True(Median(FeatureId.DiffNegativeToPositive) > 0.1);
                break;
        }
    }
}
