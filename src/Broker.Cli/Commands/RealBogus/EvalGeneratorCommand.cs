// `broker eval generator [PATH...]`: how real the generated training alerts look (issue 19). Per survey, a classifier
// (RealismMeasure: FastTree, 5 folds by object / scene) is trained to tell generated alerts (the generator on the
// training scenes, as `broker train` makes them) from the real alerts under PATH, once on the trees' inputs (the
// pixel features) and once on the cutouts (CutoutSummary of the CNN's input). Its cross-validated AUC is printed
// overall and per generated kind (bogus family, real-injection variant): 0.5 = indistinguishable. Ends with one
// key=value line.
using System.CommandLine;
using System.Globalization;
using System.Text;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Cli.Hosting;
using Broker.Models.Evaluation;
using Broker.Models.RealBogus;
using Broker.Simulation.Generation;

namespace Broker.Cli.Commands.RealBogus;

internal static class EvalGeneratorCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var paths = RealEvaluationSet.PathsArgument();
        var scenes = RealBogusCommands.ScenesOption();
        var schemaDir = RealBogusCommands.SchemaDirOption();
        var count = new Option<int>("--generated") { Description = "Generated alerts per survey.", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Generator and classifier seed.", DefaultValueFactory = _ => 1 };
        var repeats = new Option<int>("--repeats") { Description = "Cross-validations (each with its own folds) whose scores are averaged: one run's folds move the cutout AUC by a few hundredths.", DefaultValueFactory = _ => 3 };
        var minReal = new Option<int>("--min-real") { Description = "Fewest real alerts of a survey worth measuring.", DefaultValueFactory = _ => 20 };
        var command = new Command("generator", "How well a classifier tells generated alerts from real ones, per survey, on the features and on the cutouts (AUC 0.5 = indistinguishable).")
        {
            paths, scenes, schemaDir, count, seed, minReal, repeats,
        };
        command.SetAction(parse =>
        {
            var given = parse.GetValue(paths) is { Length: > 0 } p ? p : RealEvaluationSet.DefaultPaths();
            var decoder = RealBogusCommands.Decoder(parse.GetValue(schemaDir));
            var real = RealEvaluationSet.Load(given, decoder);
            var library = RealBogusCommands.TrainingScenes(parse.GetValue(scenes) is { Length: > 0 } sc ? sc : given, decoder);
            var s = parse.GetValue(seed);
            var text = new StringBuilder();
            var results = new List<string>();
            foreach (var survey in new[] { Survey.Ztf, Survey.Rubin })
            {
                var alerts = real.Evaluation.Concat(real.Training).Where(a => a.Survey == survey).ToList();
                var surveyScenes = library.Train.Where(x => x.Source.Survey == survey).ToList();
                if (alerts.Count < parse.GetValue(minReal) || surveyScenes.Count == 0)
                {
                    text.AppendLine(string.Create(Inv, $"{survey}: {alerts.Count} real alerts, {surveyScenes.Count} scenes: not measured"));
                    continue;
                }

                var generated = LabeledFeatures.Generate(new LabeledSetGenerator(surveyScenes, s), parse.GetValue(count), withTensors: true);
                var measured = Measure(RealAlertScores.Of(alerts), generated, s, parse.GetValue(repeats));
                text.Append(measured.ToText(survey, surveyScenes.Count));
                results.Add(measured.KeyValues(survey == Survey.Ztf ? "ztf" : "rubin"));
            }

            if (results.Count == 0)
            {
                Console.Error.Write(text.ToString());
                Console.Error.WriteLine($"error: no survey with {parse.GetValue(minReal)} real alerts and a scene under {string.Join(", ", given)}.");
                return 2;
            }

            Console.Out.Write(text.ToString());
            Console.Out.WriteLine("eval_generator=1 " + string.Join(' ', results));
            return 0;
        });
        return command;
    }

    /// <summary>Both measures for one survey: rows are the real alerts, then the generated ones.</summary>
    internal static GeneratorRealism Measure(RealAlertScores real, LabeledFeatures generated, int seed, int repeats)
    {
        var n = real.Count + generated.Count;
        var isGenerated = Enumerable.Range(0, n).Select(i => i >= real.Count).ToArray();
        var groups = new long[n];
        for (var i = 0; i < real.Count; i++)
        {
            groups[i] = (long)(RealAlertSplit.ObjectHash(real.Alerts[i]) >> 1);
        }

        for (var i = 0; i < generated.Count; i++)
        {
            groups[real.Count + i] = -1 - generated.Alerts[i].SceneAlertId; // negative: never a real object's group
        }

        var features = RealBogusTrainer.DefaultFeatures;
        var pixel = new float[n * features.Count];
        RealBogusTrainer.Columns(real.Vectors, real.Count, features, pixel);
        RealBogusTrainer.Columns(generated.Vectors, generated.Count, features, pixel.AsSpan(real.Count * features.Count));
        var cutouts = new float[n * CutoutSummary.Length];
        var tensors = real.Tensors();
        for (var i = 0; i < n; i++)
        {
            var source = i < real.Count
                ? tensors.AsSpan(i * Broker.Models.Cnn.CutoutTensor.Length, Broker.Models.Cnn.CutoutTensor.Length)
                : generated.Tensors.AsSpan((i - real.Count) * Broker.Models.Cnn.CutoutTensor.Length, Broker.Models.Cnn.CutoutTensor.Length);
            CutoutSummary.Write(source, cutouts.AsSpan(i * CutoutSummary.Length, CutoutSummary.Length));
        }

        // Which single features differ most between like and like: the generated real injections against the real
        // alerts their survey calls real (score >= 0.5). Univariate AUC, folded so that 0.5 is none and 1.0 complete.
        var like = Enumerable.Range(0, n).Where(i => i < real.Count ? real.Alerts[i].SurveyScore >= 0.5 : generated.Alerts[i - real.Count].IsReal).ToArray();
        var likeGenerated = like.Select(i => isGenerated[i]).ToArray();
        var telling = features.Select((f, c) =>
        {
            var column = like.Select(i => pixel[(i * features.Count) + c]).Select(v => float.IsNaN(v) ? float.MinValue : v).ToArray();
            var auc = likeGenerated.Distinct().Count() < 2 ? 0.5 : Metrics.RocAuc(column, likeGenerated);
            static double Median(IEnumerable<float> values) => values.Where(v => v != float.MinValue).Order().ToArray() is { Length: > 0 } a ? a[a.Length / 2] : double.NaN;
            var realMedian = Median(column.Where((_, k) => !likeGenerated[k]));
            var generatedMedian = Median(column.Where((_, k) => likeGenerated[k]));
            return (f.Name, Auc: Math.Max(auc, 1 - auc), realMedian, generatedMedian);
        }).OrderByDescending(x => x.Auc).Take(6).ToArray();
        var variants = generated.Alerts.Select(a => a.Variant).ToArray();
        var byFeatures = RealismMeasure.Repeated(pixel, features.Count, isGenerated, groups, seed, repeats);
        var byCutouts = RealismMeasure.Repeated(cutouts, CutoutSummary.Length, isGenerated, groups, seed, repeats);
        var kinds = RealVariants.All.Concat(ArtifactFamilies.Bogus.Select(f => f.Name())).Where(k => variants.Contains(k)).ToArray();
        double Of(float[] scores, string? kind) => RealismMeasure.Auc(scores, isGenerated, i => kind is null || variants[i - real.Count] == kind);
        return new GeneratorRealism(real.Count, generated.Count, Of(byFeatures, null), Of(byCutouts, null),
            [.. kinds.Select(k => (k, variants.Count(v => v == k), Of(byFeatures, k), Of(byCutouts, k)))], telling);
    }
}

/// <summary>One survey's realism figures: overall and per generated kind, on the features and on the cutouts.</summary>
internal sealed record GeneratorRealism(int Real, int Generated, double FeaturesAuc, double CutoutsAuc,
    IReadOnlyList<(string Kind, int Count, double Features, double Cutouts)> Kinds, IReadOnlyList<(string Name, double Auc, double RealMedian, double GeneratedMedian)> Telling)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public string ToText(Survey survey, int scenes)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(Inv, $"{survey}: {Real} real alerts against {Generated} generated on {scenes} training scenes; AUC of telling them apart (0.5 = indistinguishable)"));
        text.AppendLine(string.Create(Inv, $"  {"kind",-16} {"n",5}  features  cutouts"));
        text.AppendLine(string.Create(Inv, $"  {"all",-16} {Generated,5}  {FeaturesAuc,8:F3}  {CutoutsAuc,7:F3}"));
        foreach (var (kind, count, features, cutouts) in Kinds)
        {
            text.AppendLine(string.Create(Inv, $"  {kind,-16} {count,5}  {features,8:F3}  {cutouts,7:F3}"));
        }

        text.AppendLine("  features that tell real injections from survey-real alerts on their own (AUC; median real -> generated): " + string.Join(", ", Telling.Select(t => string.Create(Inv, $"{t.Name} {t.Auc:F3} ({t.RealMedian:G3} -> {t.GeneratedMedian:G3})"))));

        return text.ToString();
    }

    public string KeyValues(string prefix) =>
        string.Join(' ', new[]
        {
            string.Create(Inv, $"{prefix}_real={Real} {prefix}_generated={Generated} {prefix}_features_auc={FeaturesAuc:F3} {prefix}_cutouts_auc={CutoutsAuc:F3}"),
        }.Concat(Kinds.Select(k => string.Create(Inv, $"{prefix}_{k.Kind}_features={k.Features:F3} {prefix}_{k.Kind}_cutouts={k.Cutouts:F3}"))));
}
