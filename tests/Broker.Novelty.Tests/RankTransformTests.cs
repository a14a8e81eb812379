using Broker.Novelty.Ranks;

namespace Broker.Novelty.Tests;

public sealed class RankTransformTests
{
    [Fact]
    public void Ranks_are_mid_ranks_among_the_reference_sample_with_ties_and_missing_values()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = 1 + random.Next(300);
            var sample = Enumerable.Range(0, n).Select(_ => (float)random.Next(40)).OrderBy(v => v).ToArray(); // many ties
            var transform = new RankTransform([sample]);
            for (var probe = -2; probe < 43; probe++)
            {
                double below = sample.Count(v => v < probe), equal = sample.Count(v => v == probe);
                Assert.Equal((float)((below + (0.5 * equal) + 0.5) / (n + 1.0)), transform.Rank(0, probe));
            }

            Assert.Equal(RankTransform.Missing, transform.Rank(0, float.NaN));
        }

        Assert.Equal(0.5f, new RankTransform([[]]).Rank(0, 3f));
    }

    [Fact]
    public void The_reservoir_keeps_a_bounded_sample_that_follows_a_shifted_stream()
    {
        var reservoir = new RankReservoir(capacity: 512, horizon: 5_000);
        var random = new SplitMix(3);
        for (var i = 0; i < 20_000; i++)
        {
            reservoir.Add(i < 10_000 ? 0f : 1f, ref random);
        }

        reservoir.Add(float.NaN, ref random);
        Assert.Equal(512, reservoir.Count);
        Assert.Equal(20_000, reservoir.Seen);
        // 10,000 values after the shift, with a horizon of 5,000: about e^-2 of the old values survive.
        var old = reservoir.SortedSample().Count(v => v == 0f) / 512.0;
        Assert.InRange(old, 0.05, 0.25);
    }
}
