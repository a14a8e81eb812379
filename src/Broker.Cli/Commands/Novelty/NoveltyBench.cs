// `broker bench novelty`: alerts per second on one core for novelty scoring (rank transform, every subspace's
// forest, the explanation) and for learning (reservoir updates with the periodic rebuilds amortized), on the
// feature vectors of generated alerts. Ends with one key=value line.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Cli.Commands.RealBogus;
using Broker.Features.Catalog;
using Broker.Novelty;
using Broker.Novelty.Snapshots;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Commands.Novelty;

internal static class NoveltyBench
{
    public static Command Create()
    {
        var scenes = RealBogusCommands.ScenesOption();
        var count = new Option<int>("--count") { Description = "Generated alerts whose feature vectors are cycled through.", DefaultValueFactory = _ => 6000 };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure each stage.", DefaultValueFactory = _ => 5 };
        var command = new Command("novelty", "Novelty scoring (all subspaces, with explanation) and learning, in alerts per second on one core.")
        {
            scenes, count, seconds,
        };
        command.SetAction(parse =>
        {
            var library = SceneLibrary.Load(RealBogusCommands.ScenePaths(parse.GetValue(scenes)), new Alerts.Decoding.AlertDecoder());
            var n = Math.Max(512, parse.GetValue(count));
            var stream = NoveltyStream.Generate(new LabeledSetGenerator([.. library.Train, .. library.HeldOut], 1),
                new LabeledSetGenerator([.. library.Train, .. library.HeldOut], 2), n, 0, 1, 0);
            var width = FeatureCatalog.Count;
            var limit = TimeSpan.FromSeconds(parse.GetValue(seconds));
            var inv = CultureInfo.InvariantCulture;

            var learner = new NoveltyLearner(new NoveltyOptions());
            var clock = Stopwatch.StartNew();
            long updates = 0;
            while (clock.Elapsed < limit || updates < n)
            {
                learner.Update(stream.Vectors.AsSpan((int)(updates++ % n) * width, width));
            }

            var updateRate = updates / clock.Elapsed.TotalSeconds;
            var snapshot = learner.Current!;
            var result = new NoveltyResult(snapshot.Subspaces.Count);
            for (var i = 0; i < n; i++)
            {
                snapshot.Score(stream.Vectors.AsSpan(i * width, width), result);
            }

            long scored = 0;
            var before = GC.GetAllocatedBytesForCurrentThread();
            clock.Restart();
            while (clock.Elapsed < limit)
            {
                for (var i = 0; i < 1000; i++)
                {
                    snapshot.Score(stream.Vectors.AsSpan((int)(scored++ % n) * width, width), result);
                }
            }

            var scoreRate = scored / clock.Elapsed.TotalSeconds;
            var alloc = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)scored;
            var trees = snapshot.Subspaces.Count * learner.Options.Trees;
            Console.Out.WriteLine(string.Create(inv, $"{n} generated feature vectors; {snapshot.Subspaces.Count} subspaces x {learner.Options.Trees} trees, psi {snapshot.SampleSize}; snapshot {snapshot.Id}"));
            Console.Out.WriteLine(string.Create(inv, $"scoring: {scoreRate:F0} alerts/s ({1e6 / scoreRate:F1} us/alert, {alloc:F0} B allocated/alert)"));
            Console.Out.WriteLine(string.Create(inv, $"learning: {updateRate:F0} alerts/s ({1e6 / updateRate:F1} us/alert, a rebuild every {learner.Options.RebuildEvery} included)"));
            Console.Out.WriteLine(string.Create(inv,
                $"bench=novelty score_per_s={scoreRate:F0} update_per_s={updateRate:F0} us_score={1e6 / scoreRate:F2} us_update={1e6 / updateRate:F2} b_alloc_per_score={alloc:F0} trees={trees} alerts={n}"));
            return 0;
        });
        return command;
    }
}
