// One novelty model per survey for the whole cluster: two silos that each learn from their own alerts end up
// scoring with the same snapshot id, and ZTF's samples never reach Rubin's model.
using Broker.Alerts.Model;
using Broker.Cluster.Novelty;
using Broker.Engine.Shared;
using Broker.Features.Catalog;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ClusterNoveltyModelsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Two_silos_score_with_one_snapshot_per_survey()
    {
        await using var silo0 = new ClusterNoveltyModels(fixture.Silo(0), NullLogger.Instance, TimeSpan.FromHours(1));
        await using var silo1 = new ClusterNoveltyModels(fixture.Silo(1), NullLogger.Instance, TimeSpan.FromHours(1));
        var random = new Random(5);
        float[] Vector()
        {
            var v = new float[FeatureCatalog.Count];
            for (var i = 0; i < v.Length; i++)
            {
                v[i] = (float)random.NextDouble();
            }

            return v;
        }

        // Each silo scores half of the alerts; together they pass the 256 a first snapshot needs, alone they do not.
        for (var i = 0; i < 150; i++)
        {
            silo0.Learn(Survey.Ztf, Vector());
            silo1.Learn(Survey.Ztf, Vector());
        }

        await silo0.SyncAsync(CancellationToken.None);
        Assert.Null(silo0.Current(Survey.Ztf));
        await silo1.SyncAsync(CancellationToken.None);
        await silo0.SyncAsync(CancellationToken.None);
        var zero = silo0.Current(Survey.Ztf);
        var one = silo1.Current(Survey.Ztf);
        Assert.NotNull(zero);
        Assert.NotNull(one);
        Assert.Equal(zero.Id, one.Id);
        Assert.Null(silo0.Current(Survey.Rubin));
        Assert.Equal(["ztf"], ((INoveltyModels)silo1).SnapshotIds.Keys);

        // The same alert gets the same novelty on either silo.
        var alert = Vector();
        var r0 = new Broker.Novelty.Snapshots.NoveltyResult(zero.Subspaces.Count);
        var r1 = new Broker.Novelty.Snapshots.NoveltyResult(one.Subspaces.Count);
        zero.Score(alert, r0);
        one.Score(alert, r1);
        Assert.Equal(r0.Score, r1.Score);
    }

    [Fact]
    public void Samples_beyond_the_cap_drop_the_oldest_and_are_counted()
    {
        // Never synced (as with the model grain unreachable): the cap holds, the excess is counted.
        var models = new ClusterNoveltyModels(fixture.Client, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeSpan.FromHours(1));
        var width = Broker.Features.Catalog.FeatureCatalog.Count;
        for (var i = 0; i < ClusterNoveltyModels.MaxPending + 5; i++)
        {
            models.Learn(Broker.Alerts.Model.Survey.Rubin, new float[width]);
        }

        Assert.Equal(5, models.Dropped);
    }
}
