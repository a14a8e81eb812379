using Broker.Models.Xgboost;

namespace Broker.Models.Tests;

public sealed class BoosterTests
{
    private static (float[] Rows, float[] Labels) Separable(int n, int seed)
    {
        var random = new Random(seed);
        var rows = new float[n * 3];
        var labels = new float[n];
        for (var i = 0; i < n; i++)
        {
            rows[i * 3] = (float)random.NextDouble();
            rows[(i * 3) + 1] = (float)random.NextDouble();
            rows[(i * 3) + 2] = i % 7 == 0 ? float.NaN : (float)random.NextDouble();
            labels[i] = rows[i * 3] > 0.5f ? 1 : 0;
        }

        return (rows, labels);
    }

    private static readonly KeyValuePair<string, string>[] Params =
        [new("objective", "binary:logistic"), new("max_depth", "3"), new("nthread", "1"), new("seed", "7"), new("tree_method", "hist")];

    [Fact]
    public void Learns_a_threshold_and_scores_batches_like_single_rows()
    {
        var (rows, labels) = Separable(2000, 1);
        using var booster = Booster.Train(rows, labels, 3, Params, 30);
        Assert.Equal(3, booster.FeatureCount);
        Assert.Equal(30, booster.Rounds);
        float[] probe = [0.9f, 0.5f, float.NaN, 0.1f, 0.5f, 0.5f];
        var scores = new float[2];
        booster.Predict(probe, 2, scores);
        Assert.True(scores[0] > 0.95 && scores[1] < 0.05, $"{scores[0]} {scores[1]}");
        var one = new float[1];
        booster.Predict(probe.AsSpan(3, 3), 1, one);
        Assert.Equal(scores[1], one[0]);
    }

    [Fact]
    public void Same_data_and_seed_give_the_same_model_bytes_and_a_round_trip_keeps_predictions()
    {
        var (rows, labels) = Separable(1000, 2);
        using var a = Booster.Train(rows, labels, 3, Params, 20);
        using var b = Booster.Train(rows, labels, 3, Params, 20);
        var bytes = a.Save();
        Assert.Equal(bytes, b.Save());
        using var loaded = Booster.Load(bytes);
        var before = new float[1000];
        var after = new float[1000];
        a.Predict(rows, 1000, before);
        loaded.Predict(rows, 1000, after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Corrupt_model_bytes_give_xgboost_error_with_its_message()
    {
        var e = Assert.Throws<XgboostException>(() => Booster.Load("{\"not\": \"a model\"}"u8));
        Assert.StartsWith("XGBoost: ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length > 12);
    }

    [Fact]
    public void Wrong_buffer_sizes_are_rejected_before_native_code()
    {
        var (rows, labels) = Separable(200, 3);
        using var booster = Booster.Train(rows, labels, 3, Params, 2);
        Assert.Throws<ArgumentException>(() => booster.Predict(new float[5], 2, new float[2]));
        booster.Dispose();
        Assert.Throws<ObjectDisposedException>(() => booster.Predict(new float[3], 1, new float[1]));
    }
}
