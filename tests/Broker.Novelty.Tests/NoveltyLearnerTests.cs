using Broker.Novelty.Forest;
using Broker.Novelty.Snapshots;

namespace Broker.Novelty.Tests;

public sealed class NoveltyLearnerTests
{
    private const int Width = 6;

    private static readonly Subspace[] ThreePairs =
    [
        new("a", "features 0-1", [0, 1]),
        new("b", "features 2-3", [2, 3]),
        new("c", "features 4-5", [4, 5]),
        new(Subspace.AllName, "all", [0, 1, 2, 3, 4, 5]),
    ];

    private static readonly NoveltyOptions Small = new() { Seed = 7, Trees = 64, RebuildEvery = 1000, ReservoirCapacity = 1024, Horizon = 20_000 };

    [Fact]
    public void A_point_far_out_in_one_subspace_scores_high_there_and_ordinary_elsewhere()
    {
        var learner = Train(new NoveltyLearner(Small, ThreePairs, Width), 5000, seed: 1, v => v);
        var snapshot = learner.Current!;
        var result = new NoveltyResult(ThreePairs.Length);
        snapshot.Score([6f, 0.1f, 0.2f, -0.3f, 0.1f, 0f], result);

        Assert.True(result.SubspaceScores[0] > 0.62, Describe(result));
        Assert.True(result.SubspaceScores[1] < 0.5, Describe(result));
        Assert.True(result.SubspaceScores[2] < 0.5, Describe(result));
        Assert.Equal(0, result.TopSubspace);
        Assert.Equal(0, result.TopFeatures[0]);
        Assert.Equal(result.SubspaceScores[0], result.Score);

        var ordinary = new NoveltyResult(ThreePairs.Length);
        snapshot.Score([0.1f, -0.2f, 0.3f, 0f, -0.1f, 0.2f], ordinary);
        Assert.True(ordinary.Score < 0.5, Describe(ordinary));
    }

    [Fact]
    public void Ranks_make_scores_invariant_under_monotone_transforms_of_a_feature()
    {
        static float[] Warp(float[] v) => [MathF.Exp(3 * v[0]), (v[1] * v[1] * v[1]) + v[1], v[2], 10 * v[3] - 4, v[4], MathF.Atan(v[5])];
        var plain = Train(new NoveltyLearner(Small, ThreePairs, Width), 3000, seed: 2, v => v).Current!;
        var warped = Train(new NoveltyLearner(Small, ThreePairs, Width), 3000, seed: 2, Warp).Current!;
        var a = new NoveltyResult(ThreePairs.Length);
        var b = new NoveltyResult(ThreePairs.Length);
        var random = new Random(3);
        for (var i = 0; i < 500; i++)
        {
            var v = Point(random, scale: i % 10 == 0 ? 4 : 1);
            plain.Score(v, a);
            warped.Score(Warp(v), b);
            Assert.Equal(a.SubspaceScores, b.SubspaceScores);
            Assert.Equal(a.TopFeatures, b.TopFeatures);
        }
    }

    [Fact]
    public void The_same_seed_and_stream_give_the_same_snapshot_and_a_saved_snapshot_replays_identically()
    {
        var first = Train(new NoveltyLearner(Small, ThreePairs, Width), 4000, seed: 4, v => v).Current!;
        var second = Train(new NoveltyLearner(Small, ThreePairs, Width), 4000, seed: 4, v => v).Current!;
        Assert.Equal(first.Id, second.Id);
        var path = Path.GetTempFileName();
        try
        {
            string[] names = ["f0", "f1", "f2", "f3", "f4", "f5"];
            SnapshotFile.Save(first, path, names);
            var loaded = SnapshotFile.Load(path, names);
            Assert.Equal(first.Id, loaded.Id);
            var random = new Random(5);
            var (x, y, z) = (new NoveltyResult(4), new NoveltyResult(4), new NoveltyResult(4));
            for (var i = 0; i < 300; i++)
            {
                var v = Point(random, scale: 2);
                first.Score(v, x);
                second.Score(v, y);
                loaded.Score(v, z);
                Assert.Equal(x.SubspaceScores, y.SubspaceScores);
                Assert.Equal(x.SubspaceScores, z.SubspaceScores);
                Assert.Equal(x.TopFeatures, z.TopFeatures);
            }

            Assert.Throws<InvalidDataException>(() => SnapshotFile.Load(path, ["f0", "f1", "f2", "f3", "f4", "other"]));
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            Assert.Throws<InvalidDataException>(() => SnapshotFile.Load(path, names));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Snapshots_rotate_trees_gradually_and_follow_a_drifting_stream()
    {
        var learner = new NoveltyLearner(Small with { Horizon = 4000 }, ThreePairs, Width);
        Train(learner, 6000, seed: 6, v => v);
        var before = learner.Current!;
        // The night drifts: feature 0 moves by +5. At first the new normal looks novel; later it does not.
        var drifted = new NoveltyResult(4);
        before.Score([5f, 0, 0, 0, 0, 0], drifted);
        Assert.True(drifted.SubspaceScores[0] > 0.6);
        Train(learner, 30_000, seed: 8, v => { v[0] += 5; return v; });
        var after = learner.Current!;
        Assert.NotEqual(before.Id, after.Id);
        after.Score([5f, 0, 0, 0, 0, 0], drifted);
        Assert.True(drifted.SubspaceScores[0] < 0.5, Describe(drifted));
    }

    [Fact]
    public void Memory_stays_bounded_over_a_million_updates()
    {
        var learner = new NoveltyLearner(Small with { RebuildEvery = 20_000, Trees = 16 }, ThreePairs, Width);
        var random = new Random(9);
        var v = new float[Width];
        long heapAt100k = 0;
        for (var i = 1; i <= 1_000_000; i++)
        {
            for (var f = 0; f < Width; f++)
            {
                v[f] = (float)random.NextDouble();
            }

            learner.Update(v);
            if (i == 100_000)
            {
                heapAt100k = HeapAfterCollect();
            }
        }

        var heapAt1M = HeapAfterCollect();
        Assert.Equal(1_000_000, learner.Updates);
        Assert.True(heapAt1M - heapAt100k < 2L << 20, $"managed heap grew {(heapAt1M - heapAt100k) / 1024} KiB between 100k and 1M updates");
        GC.KeepAlive(learner);
    }

    private static long HeapAfterCollect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static NoveltyLearner Train(NoveltyLearner learner, int count, int seed, Func<float[], float[]> transform)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            learner.Update(transform(Point(random, 1)));
        }

        return learner;
    }

    private static float[] Point(Random random, double scale)
    {
        var v = new float[Width];
        for (var f = 0; f < Width; f++)
        {
            v[f] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        // Features 0 and 1 are correlated, as real features often are.
        v[1] = (0.7f * v[0]) + (0.3f * v[1]);
        return v;
    }

    private static string Describe(NoveltyResult r) =>
        $"scores [{string.Join(", ", r.SubspaceScores.Select(s => s.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}], top {r.TopSubspace}, features [{string.Join(", ", r.TopFeatures)}]";
}
