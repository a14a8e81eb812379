using Broker.Models.Cnn;
using Broker.Models.RealBogus;

namespace Broker.Models.Tests;

public sealed class CombinedScoreTests
{
    [Fact]
    public void Fit_recovers_the_weights_of_a_known_logistic_stack()
    {
        var random = new Random(9);
        const int n = 20000;
        var rb = new float[n];
        var cnn = new float[n];
        var labels = new float[n];
        for (var i = 0; i < n; i++)
        {
            double a = (random.NextDouble() * 8) - 4, b = (random.NextDouble() * 8) - 4;
            rb[i] = (float)(1 / (1 + Math.Exp(-a)));
            cnn[i] = (float)(1 / (1 + Math.Exp(-b)));
            var p = 1 / (1 + Math.Exp(-((0.5 * a) + (1.5 * b) - 0.25)));
            labels[i] = random.NextDouble() < p ? 1 : 0;
        }

        var fit = CombinedScore.Fit(rb, cnn, labels, ridge: 0);
        Assert.InRange(fit.WeightRb, 0.42, 0.58); // 20,000 Bernoulli draws: standard errors ~0.02-0.03
        Assert.InRange(fit.WeightCnn, 1.38, 1.62);
        Assert.InRange(fit.Bias, -0.37, -0.13);
        var round = CombinedScore.FromParameters(fit.ToParameters("rb-x"));
        Assert.Equal(fit, round);
    }

    [Fact]
    public void A_missing_score_falls_back_to_the_other_one()
    {
        var stack = new CombinedScore(1, 1, 0);
        Assert.Equal(0.8f, stack.Score(float.NaN, 0.8f));
        Assert.Equal(0.3f, stack.Score(0.3f, float.NaN));
        Assert.Equal(0.5f, stack.Score(0.5f, 0.5f), 6);
        Assert.True(stack.Score(1f, 1f) > 0.999f);
    }

    [Fact]
    public void Npy_files_round_trip_with_a_header_numpy_accepts()
    {
        var path = Path.GetTempFileName();
        try
        {
            float[] values = [1, 2, 3, 4, 5, 6];
            NpyFile.Write(path, values, [2, 3]);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(0, (bytes.Length - (6 * 4)) % 64); // header padded to 64 bytes
            var (read, shape) = NpyFile.Read(path);
            Assert.Equal(values, read);
            Assert.Equal([2, 3], shape);
            File.WriteAllBytes(path, bytes[..^4]);
            Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
