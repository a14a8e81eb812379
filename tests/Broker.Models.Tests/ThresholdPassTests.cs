// What a likely_real threshold lets through: the positive gate counts, the threshold is inclusive, families are
// counted apart, and the interval over groups is degenerate when every group agrees and wide when one group holds
// all the passing artifacts (a scene whose artifacts all pass is one piece of evidence, not many).
using Broker.Models.Evaluation;

namespace Broker.Models.Tests;

public sealed class ThresholdPassTests
{
    [Fact]
    public void Counts_bogus_passing_and_reals_kept_with_the_positive_gate()
    {
        GatedScore[] items =
        [
            new(0.90f, IsReal: false, "dipole", Positive: true, Group: 1),   // passes
            new(0.90f, IsReal: false, "dipole", Positive: false, Group: 1),  // negative difference: likely_real refuses it
            new(0.74f, IsReal: false, "ghost", Positive: true, Group: 2),    // exactly at the threshold: passes
            new(0.73f, IsReal: false, "ghost", Positive: true, Group: 2),
            new(0.99f, IsReal: true, "real", Positive: true, Group: 1),
            new(0.10f, IsReal: true, "real", Positive: true, Group: 2),
            new(0.99f, IsReal: true, "real", Positive: false, Group: 2),
        ];
        var pass = ThresholdPass.Of(items, 0.74);
        Assert.Equal((4, 2), (pass.Bogus, pass.BogusPassing));
        Assert.Equal((3, 1), (pass.Reals, pass.RealsKept));
        Assert.Equal([("dipole", 2, 1), ("ghost", 2, 1)], pass.Families);
        Assert.Equal(0.5, pass.BogusPassRate);
        Assert.Contains("bogus passing 2 of 4", pass.ToText("t"), StringComparison.Ordinal);
        Assert.Equal(2, pass.ToJson()["bogus_passing"]!.GetValue<int>());
    }

    [Fact]
    public void The_interval_over_groups_is_wide_when_one_group_holds_every_pass()
    {
        // 25 scenes of 40 artifacts; the first 50 pass (one scene and a quarter), the others none: 5% overall.
        var lumped = Enumerable.Range(0, 1000).Select(i => new GatedScore(i < 50 ? 0.9f : 0.1f, false, "ghost", true, i / 40)).ToList();
        // The same 5%, spread evenly: two of every scene's 40 pass.
        var spread = Enumerable.Range(0, 1000).Select(i => new GatedScore(i % 20 == 0 ? 0.9f : 0.1f, false, "ghost", true, i / 40)).ToList();
        var a = ThresholdPass.Of(lumped, 0.5);
        var b = ThresholdPass.Of(spread, 0.5);
        Assert.Equal(a.BogusPassRate, b.BogusPassRate);
        Assert.InRange(0.05, a.BogusInterval.Low, a.BogusInterval.High);
        Assert.True(b.BogusInterval.High - b.BogusInterval.Low < 0.001, $"{b.BogusInterval}");
        Assert.True(a.BogusInterval.High - a.BogusInterval.Low > 0.05, $"{a.BogusInterval}");
    }
}
