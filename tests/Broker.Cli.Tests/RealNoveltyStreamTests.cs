// `broker eval novelty --real`'s stream: every real alert once, the rarities only after the warm-up (which holds exactly
// the likely-real alerts the first forest needs), light-curve rarities built on likely-real alerts, artifacts drawn.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Cli.Commands.Novelty;
using Broker.Cli.Commands.RealBogus;
using Broker.Cli.Hosting;

namespace Broker.Cli.Tests;

public sealed class RealNoveltyStreamTests
{
    private static readonly string Alerts = Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts");

    [Fact]
    public void Rarities_come_after_the_warm_up_and_light_curve_ones_are_built_on_likely_real_alerts()
    {
        var decoder = new AlertDecoder();
        var set = RealEvaluationSet.Load([Alerts], decoder);
        var ztf = set.Evaluation.Concat(set.Training).Where(a => a.Survey == Survey.Ztf).ToList();
        var scenes = RealBogusCommands.TrainingScenes([Alerts], decoder).Train.Where(s => s.Source.Survey == Survey.Ztf).ToList();
        using var served = ServedRealBogus.Load(RepoPaths.Resolve("models/rb"), RepoPaths.Resolve("models/cnn-int8"));

        var (stream, scores, count, warmup) = RealNoveltyStream.Build(ztf, scenes, perKind: 2, seed: 1, learnedFirst: 4, learnMinReal: 0.5f, served);

        Assert.Equal(ztf.Count, count);
        Assert.Equal(count + (2 * NoveltyStream.Kinds.Length), stream.Count);
        Assert.Equal(4, Enumerable.Range(0, warmup).Count(i => scores[i] >= 0.5f));
        Assert.True(scores[warmup - 1] >= 0.5f); // the warm-up ends with the fourth likely-real alert
        Assert.DoesNotContain(Enumerable.Range(0, warmup), stream.IsRare);
        foreach (var kind in NoveltyStream.Kinds)
        {
            Assert.Equal(2, stream.RareKind.Count(k => k == kind));
        }

        var lightCurve = Enumerable.Range(0, stream.Count).Where(i => stream.RareKind[i] is "fast_riser" or "extreme_color" or "odd_history").ToList();
        Assert.All(lightCurve, i => Assert.True(scores[i] >= 0.5f, $"row {i}: {scores[i]}"));
    }
}
