// One process's novelty models: one per survey, so what Rubin alerts teach never reaches the ZTF model (and a
// Rubin alert is not novel to ZTF's forests just for missing ZTF-only features).
using Broker.Alerts.Model;
using Broker.Engine.Shared;
using Broker.Features.Catalog;

namespace Broker.Engine.Tests;

public sealed class LocalNoveltyModelsTests
{
    [Fact]
    public void Surveys_learn_apart()
    {
        var models = new LocalNoveltyModels(1);
        var random = new Random(3);
        for (var i = 0; i < 600; i++)
        {
            var v = new float[FeatureCatalog.Count];
            for (var j = 0; j < v.Length; j++)
            {
                v[j] = (float)random.NextDouble();
            }

            models.Learn(Survey.Rubin, v);
        }

        Assert.NotNull(models.Current(Survey.Rubin));
        Assert.Null(models.Current(Survey.Ztf));
        Assert.Equal(600, models[Survey.Rubin].Updates);
        Assert.Equal(0, models[Survey.Ztf].Updates);
        Assert.Equal(["rubin"], ((INoveltyModels)models).SnapshotIds.Keys);
    }

    [Fact]
    public void Seeds_differ_per_survey_and_are_fixed()
    {
        Assert.NotEqual(LocalNoveltyModels.SeedFor(1, Survey.Ztf), LocalNoveltyModels.SeedFor(1, Survey.Rubin));
        Assert.NotEqual(LocalNoveltyModels.SeedFor(1, Survey.Ztf), LocalNoveltyModels.SeedFor(2, Survey.Ztf));
        Assert.Equal(LocalNoveltyModels.SeedFor(1, Survey.Ztf), new LocalNoveltyModels(1)[Survey.Ztf].Options.Seed);
    }
}
