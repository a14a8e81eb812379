using Broker.Cluster.Novelty;
using Broker.Features.Catalog;
using Broker.Novelty;
using Broker.Novelty.Snapshots;
using Orleans.Concurrency;
using Orleans.TestingHost;

namespace Broker.Cluster.Tests;

/// <summary>The cluster's novelty model: one per survey, learned from what silos send, served as versioned snapshots.</summary>
public sealed class NoveltyModelGrainTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = new InProcessTestClusterBuilder(1).Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static float[] Vectors(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * FeatureCatalog.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return values;
    }

    [Fact]
    public async Task A_surveys_model_warms_up_then_serves_the_snapshot_a_local_learner_would_have_built()
    {
        var ztf = _cluster.Client.GetGrain<INoveltyModelGrain>("ztf");
        var first = Vectors(100, 1);
        Assert.Null(await ztf.Learn(new Immutable<float[]>(first))); // fewer than the 256 a first snapshot needs
        Assert.Null(await ztf.Latest(null));

        var second = Vectors(300, 2);
        var id = await ztf.Learn(new Immutable<float[]>(second));
        Assert.NotNull(id);
        var message = await ztf.Latest(null);
        Assert.NotNull(message);
        Assert.Equal(id, message.SnapshotId);
        Assert.Equal("ztf", message.Survey);
        Assert.Equal(400, message.Updates);
        Assert.Null(await ztf.Latest(id)); // the caller already has it

        // The same samples in the same order through a local learner with the grain's seed give the same model:
        // a snapshot that crossed the grain boundary scores exactly as the one built here.
        var local = new NoveltyLearner(new NoveltyOptions { Seed = NoveltyModelGrain.SeedFor(1, "ztf") });
        var width = FeatureCatalog.Count;
        foreach (var batch in new[] { first, second })
        {
            for (var offset = 0; offset < batch.Length; offset += width)
            {
                local.Update(batch.AsSpan(offset, width));
            }
        }

        var remote = message.Load();
        Assert.Equal(local.Current!.Id, remote.Id);
        var probes = Vectors(20, 3);
        for (var i = 0; i < 20; i++)
        {
            var a = new NoveltyResult(remote.Subspaces.Count);
            var b = new NoveltyResult(remote.Subspaces.Count);
            remote.Score(probes.AsSpan(i * width, width), a);
            local.Current.Score(probes.AsSpan(i * width, width), b);
            Assert.Equal(b.Score, a.Score);
            Assert.Equal(b.TopSubspace, a.TopSubspace);
        }
    }

    [Fact]
    public async Task Ztf_and_rubin_never_share_a_model_and_other_surveys_are_refused()
    {
        var ztf = _cluster.Client.GetGrain<INoveltyModelGrain>("ztf");
        var rubin = _cluster.Client.GetGrain<INoveltyModelGrain>("rubin");
        var samples = Vectors(300, 4);
        var ztfId = await ztf.Learn(new Immutable<float[]>(samples));
        Assert.NotNull(ztfId);
        Assert.Null(await rubin.Latest(null)); // nothing learned from ZTF's samples

        var rubinId = await rubin.Learn(new Immutable<float[]>(samples));
        Assert.NotNull(rubinId);
        Assert.NotEqual(ztfId, rubinId); // the same samples, another survey's seed: another model

        var other = _cluster.Client.GetGrain<INoveltyModelGrain>("hsc");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => other.Learn(new Immutable<float[]>(samples)));
        Assert.Contains("No novelty model for survey 'hsc'", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vectors_of_the_wrong_width_are_refused_and_the_model_is_unchanged()
    {
        var ztf = _cluster.Client.GetGrain<INoveltyModelGrain>("ztf");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => ztf.Learn(new Immutable<float[]>(new float[FeatureCatalog.Count + 1])));
        Assert.Contains($"{FeatureCatalog.Count} floats each", e.Message, StringComparison.Ordinal);
        Assert.Null(await ztf.Latest(null));
    }
}
