// `broker eval novelty --real PATH...` (issue 19): the streaming forests on real alerts of one survey, in detection
// order, with rarities injected at random places after a warm-up: three light-curve oddities written into copies
// of likely-real real alerts (their cutouts, and so their real/bogus scores, are the real alert's), and the two
// held-out artifact families (streaks, ghosts) drawn by the generator on the survey's scenes. Each alert carries
// the served models' real/bogus score, so the learner can learn from likely-real alerts only, as the live
// pipeline does (processing.novelty_learn_min_real), and the night's list can keep likely-real alerts only.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Cli.Commands.RealBogus;
using Broker.Cluster.Nights;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Simulation.Generation;
using Broker.Simulation.Rendering;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Commands.Novelty;

internal static class RealNoveltyStream
{
    /// <summary>
    /// The stream, the served models' combined real/bogus score of every row, how many real alerts it holds, and the
    /// warm-up: rarities come only after <paramref name="learnedFirst"/> alerts scoring at least
    /// <paramref name="learnMinReal"/> (what the learner needs before its first forest).
    /// </summary>
    public static (NoveltyStream Stream, float[] RealScore, int RealAlerts, int Warmup) Build(IReadOnlyList<Alert> real, IReadOnlyList<Scene> scenes, int perKind, int seed,
        int learnedFirst, float learnMinReal, ServedRealBogus served)
    {
        var ordered = real.OrderBy(a => a.Mjd).ThenBy(a => a.AlertId).ToList();
        var realScores = served.Score(ordered).Combined;
        var warmup = ordered.Count;
        for (int i = 0, learned = 0; i < ordered.Count; i++)
        {
            if (realScores[i] >= learnMinReal && ++learned == learnedFirst)
            {
                warmup = i + 1;
                break;
            }
        }

        var random = new Rng(seed, 919191);

        // Rare alerts: light-curve oddities on copies of likely-real alerts, artifacts from the generator.
        var likelyReal = Enumerable.Range(0, ordered.Count).Where(i => realScores[i] >= NightReporter.LikelyReal).ToList();
        var rare = new List<(string Kind, Alert Alert)>();
        var artifacts = scenes.Count > 0 ? new LabeledSetGenerator(scenes, seed + 1000) : null;
        var decoder = new AlertDecoder();
        foreach (var kind in NoveltyStream.Kinds)
        {
            if (kind is "streak" or "ghost")
            {
                foreach (var index in NoveltyStream.RareIndexes(kind, artifacts is null ? 0 : perKind))
                {
                    rare.Add((kind, decoder.Decode(artifacts!.Generate(index).Message)[0]));
                }

                continue;
            }

            for (var j = 0; j < perKind && likelyReal.Count > 0; j++)
            {
                var source = ordered[likelyReal[(int)(random.Uniform() * likelyReal.Count) % likelyReal.Count]];
                var odd = NoveltyStream.OddHistory(source, kind, new Rng(seed, (Array.IndexOf(NoveltyStream.Kinds, kind) * 1000) + j));
                rare.Add((kind, NoveltyStream.WithHistory(source, odd)));
            }
        }

        var rareScores = served.Score([.. rare.Select(r => r.Alert)]).Combined;
        var total = ordered.Count + rare.Count;
        var positions = Enumerable.Range(warmup, total - warmup).OrderBy(_ => random.Uniform()).Take(rare.Count).ToHashSet();
        var width = FeatureCatalog.Count;
        var vectors = new float[total * width];
        var kinds = new string?[total];
        var scores = new float[total];
        int n = 0, r = 0;
        for (var p = 0; p < total; p++)
        {
            var (alert, kind, score) = positions.Contains(p) ? (rare[r].Alert, rare[r].Kind, rareScores[r++]) : (ordered[n], null, realScores[n++]);
            AlertFeatures.Extract(alert, vectors.AsSpan(p * width, width));
            kinds[p] = kind;
            scores[p] = score;
        }

        return (new NoveltyStream(vectors, kinds, total), scores, ordered.Count, warmup);
    }
}
