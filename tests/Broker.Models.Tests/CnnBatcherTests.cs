using System.Threading.Channels;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Models.Cnn;

namespace Broker.Models.Tests;

public sealed class CnnBatcherTests
{
    [Fact]
    public async Task Concurrent_callers_get_the_scores_of_direct_runs_in_batches_no_larger_than_the_limit()
    {
        using var model = CnnModel.Load(TestData.ShippedCnn);
        var alerts = FixtureAlerts();
        var direct = new float[alerts.Count];
        var tensors = new float[alerts.Count * CutoutTensor.Length];
        for (var i = 0; i < alerts.Count; i++)
        {
            CutoutTensor.Write(alerts[i], tensors.AsSpan(i * CutoutTensor.Length, CutoutTensor.Length));
        }

        model.Score(tensors, alerts.Count, direct);
        // A generous wait limit: with 5 ms, a CI machine running several test assemblies on two cores could starve
        // the producing thread long enough that no batch ever filled (seen once). Batches still end at 8.
        var options = new CnnBatcherOptions { MaxBatch = 8, MaxWait = TimeSpan.FromMilliseconds(500), QueueCapacity = 16 };
        var batcher = new CnnBatcher(model, options);
        float[] results;
        await using (batcher)
        {
            // 20 rounds of every fixture alert from 20 concurrent callers: more than the queue holds, so callers wait.
            var tasks = Enumerable.Range(0, 20).SelectMany(_ => alerts.Select(a => batcher.ScoreAsync(a).AsTask())).ToArray();
            results = await Task.WhenAll(tasks);
        }

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(direct[i % alerts.Count], results[i], 1e-6f);
        }

        var sizes = batcher.BatchSizes;
        Assert.Equal(9, sizes.Count);
        Assert.Equal(results.Length, sizes.Select((c, size) => c * size).Sum());
        Assert.Equal(results.Length, batcher.Triplets);
        Assert.True(sizes[8] > 0, "a backlog must fill whole batches");
    }

    [Fact]
    public async Task A_lone_triplet_runs_after_the_wait_limit_and_a_closed_batcher_refuses_new_work()
    {
        using var model = CnnModel.Load(TestData.ShippedCnn);
        var alert = FixtureAlerts()[0];
        var batcher = new CnnBatcher(model, new CnnBatcherOptions { MaxBatch = 16, MaxWait = TimeSpan.FromMilliseconds(1) });
        var score = await batcher.ScoreAsync(alert).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(score, 0f, 1f);
        Assert.Equal(1, batcher.BatchSizes[1]);
        await batcher.DisposeAsync();
        await Assert.ThrowsAsync<ChannelClosedException>(async () => await batcher.ScoreAsync(alert));
    }

    [Fact]
    public async Task Wrong_sized_input_is_an_argument_error_for_that_caller_only()
    {
        using var model = CnnModel.Load(TestData.ShippedCnn);
        var batcher = new CnnBatcher(model);
        await using (batcher)
        {
            Assert.Throws<ArgumentException>(() => batcher.ScoreAsync(new float[10]));
            var ok = await batcher.ScoreAsync(new float[CutoutTensor.Length]);
            Assert.InRange(ok, 0f, 1f);
        }
    }

    private static List<Alert> FixtureAlerts()
    {
        var decoder = new AlertDecoder();
        var list = new List<Alert>();
        foreach (var file in Directory.EnumerateFiles(TestData.Fixtures, "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                list.AddRange(decoder.Decode(File.ReadAllBytes(file)).Where(a => a.Difference.Image is not null));
            }
            catch (AlertDecodeException)
            {
            }
        }

        return list;
    }
}
