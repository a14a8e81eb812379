// `broker eval novelty` and `broker bench novelty`. The evaluation streams ordinary generated alerts with rare
// kinds mixed in through the streaming forests (each alert scored by the snapshot current when it arrives, then
// learned from: what the live broker does), measures AUC, precision@k and recall@k per subspace and for the
// combined score (the highest subspace score), per rare kind, against a batch forest trained on the whole set,
// and reports the top-k overlaps between subspaces with the g^2/k estimate of how many anomalies there are.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Broker.Alerts.Model;
using Broker.Cli.Commands.RealBogus;
using Broker.Cli.Hosting;
using Broker.Cluster.Nights;
using Broker.Features.Catalog;
using Broker.Models.Evaluation;
using Broker.Novelty;
using Broker.Novelty.Forest;
using Broker.Novelty.Snapshots;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Commands.Novelty;

internal static class NoveltyCommands
{
    public static Command Eval()
    {
        var scenes = RealBogusCommands.ScenesOption();
        var schemaDir = RealBogusCommands.SchemaDirOption();
        var normal = new Option<int>("--normal") { Description = "Ordinary alerts in the stream.", DefaultValueFactory = _ => 20000 };
        var perKind = new Option<int>("--rare") { Description = "Alerts of each rare kind mixed in.", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "Generator and forest seed.", DefaultValueFactory = _ => 1 };
        var snapshotOut = new Option<string?>("--save-snapshot") { Description = "Write the final streaming snapshot to this file." };
        var survey = new Option<Survey>("--survey")
        {
            Description = "Survey whose scenes make the stream: the broker keeps one novelty learner per survey (a Rubin alert among ZTF ones is novel for trivial reasons).",
            DefaultValueFactory = _ => Survey.Ztf,
        };
        var real = new Option<string[]>("--real")
        {
            Description = "Stream these real alerts (folders, Fink exports) of --survey instead of generated ones, rarities injected among them (RealNoveltyStream).",
            AllowMultipleArgumentsPerToken = true,
        };
        var learnMinReal = new Option<float>("--learn-min-real")
        {
            Description = "With --real: learn only from alerts whose combined real/bogus score reaches this (the pipeline's processing.novelty_learn_min_real; 0 learns from all).",
            DefaultValueFactory = _ => 0.5f,
        };
        var command = new Command("novelty", "Measure the streaming isolation forests on a stream with injected rare kinds, per subspace, against a batch forest.")
        {
            scenes, schemaDir, normal, perKind, seed, snapshotOut, survey, real, learnMinReal,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var decoder = RealBogusCommands.Decoder(parse.GetValue(schemaDir));
            var library = SceneLibrary.Load(RealBogusCommands.ScenePaths(parse.GetValue(scenes)), decoder);
            var all = library.Train.Concat(library.HeldOut).Where(sc => sc.Source.Survey == parse.GetValue(survey)).ToList();
            if (all.Count == 0)
            {
                Console.Error.WriteLine($"error: no {parse.GetValue(survey)} scenes in {string.Join(", ", RealBogusCommands.ScenePaths(parse.GetValue(scenes)))}");
                return 2;
            }

            var s = parse.GetValue(seed);
            var realPaths = parse.GetValue(real);
            // A real stream holds hundreds of alerts, not tens of thousands: the forests grow from 128 alerts learned (not
            // 256) and rebuild every 32; rarities come after the first forest exists (RealNoveltyStream's warm-up: the same
            // rows whatever --learn-min-real, so runs with and without the gate score the same alerts).
            var options = realPaths is { Length: > 0 } ? new NoveltyOptions { Seed = (ulong)s, SampleSize = 128, RebuildEvery = 32 } : new NoveltyOptions { Seed = (ulong)s };
            var warmup = options.RebuildEvery;
            NoveltyStream stream;
            float[]? realScores = null;
            if (realPaths is { Length: > 0 })
            {
                var alerts = RealEvaluationSet.Load(realPaths, decoder) is var set ? set.Evaluation.Concat(set.Training).Where(a => a.Survey == parse.GetValue(survey)).ToList() : [];
                if (alerts.Count <= 2 * options.SampleSize)
                {
                    Console.Error.WriteLine($"error: {alerts.Count} real {parse.GetValue(survey)} alerts with cutouts in {string.Join(", ", realPaths)}; more than {2 * options.SampleSize} are needed.");
                    return 2;
                }

                using var served = ServedRealBogus.Load(RepoPaths.Resolve(RealBogusCommands.DefaultModel), RepoPaths.Resolve(Cnn.CnnCommands.ServingModel));
                (stream, realScores, var realCount, warmup) = RealNoveltyStream.Build(alerts, all, parse.GetValue(perKind), s, options.SampleSize, Math.Max(parse.GetValue(learnMinReal), NightReporter.LikelyReal), served);
                Console.Out.WriteLine($"real stream: {realCount} real {parse.GetValue(survey)} alerts in detection order from {string.Join(", ", realPaths)}; learning from those with combined real/bogus >= {parse.GetValue(learnMinReal)}");
            }
            else
            {
                stream = NoveltyStream.Generate(new LabeledSetGenerator(all, s), new LabeledSetGenerator(all, s + 1000), parse.GetValue(normal), parse.GetValue(perKind), s, warmup);
            }

            var generated = clock.Elapsed.TotalSeconds;

            var width = FeatureCatalog.Count;
            var subspaces = Subspace.Default;
            var learner = new NoveltyLearner(options, subspaces, width);
            var streaming = new float[subspaces.Count][];
            for (var k = 0; k < subspaces.Count; k++)
            {
                streaming[k] = new float[stream.Count];
            }

            var result = new NoveltyResult(subspaces.Count);
            var scoredBy = new bool[stream.Count];
            var scoreClock = new Stopwatch();
            for (var i = 0; i < stream.Count; i++)
            {
                var vector = stream.Vectors.AsSpan(i * width, width);
                if (learner.Current is { } snapshot)
                {
                    scoredBy[i] = true;
                    scoreClock.Start();
                    snapshot.Score(vector, result);
                    scoreClock.Stop();
                    for (var k = 0; k < subspaces.Count; k++)
                    {
                        streaming[k][i] = result.SubspaceScores[k];
                    }
                }

                if (realScores is null || realScores[i] >= parse.GetValue(learnMinReal))
                {
                    learner.Update(vector);
                }
            }

            var batch = NoveltyLearner.Batch(stream.Vectors, stream.Count, width, options, subspaces);
            var batchScores = Score(batch, stream, width);
            var scored = Enumerable.Range(warmup, stream.Count - warmup).Where(i => scoredBy[i]).ToArray(); // after the warm-up, by a forest
            var report = new NoveltyReport(stream.RareKind, NoveltyStream.Kinds, scored, subspaces, streaming, batchScores);
            Console.Out.Write(report.ToText());
            var likelyRealLine = realScores is null ? string.Empty : " " + report.LikelyReal(realScores, NightReporter.LikelyReal, stream.Vectors, width, Console.Out);
            if (parse.GetValue(snapshotOut) is { } path)
            {
                SnapshotFile.Save(learner.Current!, path, FeatureCatalog.Names);
                Console.Out.WriteLine($"saved snapshot {learner.Current!.Id} to {path}");
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"stream of {stream.Count} alerts generated in {generated:F0} s; streaming scoring {scoreClock.Elapsed.TotalMilliseconds * 1000 / Math.Max(1, stream.Count - warmup):F1} us/alert (all subspaces, explanation included)"));
            Console.Out.WriteLine(report.KeyValues(learner.Current!.Id, clock.Elapsed.TotalSeconds) + likelyRealLine);
            return 0;
        });
        return command;
    }

    internal static float[][] Score(NoveltySnapshot snapshot, NoveltyStream stream, int width)
    {
        var scores = snapshot.Subspaces.Select(_ => new float[stream.Count]).ToArray();
        var result = new NoveltyResult(snapshot.Subspaces.Count);
        for (var i = 0; i < stream.Count; i++)
        {
            snapshot.Score(stream.Vectors.AsSpan(i * width, width), result);
            for (var k = 0; k < scores.Length; k++)
            {
                scores[k][i] = result.SubspaceScores[k];
            }
        }

        return scores;
    }
}
