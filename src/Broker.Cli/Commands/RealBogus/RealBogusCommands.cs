// `broker train rb` and `broker eval rb`: the real/bogus boosted trees trained on generated labeled alerts
// (training scenes), measured on a held-out generated set (held-out scenes, another seed) per artifact family,
// and compared with ZTF's own rb/drb on real alerts. Both end with one key=value line.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro.Framing;
using Broker.Cli.Hosting;
using Broker.Models.Cards;
using Broker.Models.Evaluation;
using Broker.Models.RealBogus;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Commands.RealBogus;

internal static class RealBogusCommands
{
    public const string DefaultModel = "models/rb";
    public const string DefaultScenes = "tests/fixtures/alerts";

    private const string ModelFile = "rb.fasttree.zip";

    public static Command Train()
    {
        var scenes = ScenesOption();
        var schemaDir = SchemaDirOption();
        var trainCount = new Option<int>("--train") { Description = "Generated training alerts.", DefaultValueFactory = _ => 20000 };
        var testCount = new Option<int>("--test") { Description = "Generated held-out alerts.", DefaultValueFactory = _ => 6000 };
        var seed = new Option<int>("--seed") { Description = "Generator and FastTree seed (held-out set uses seed + 1).", DefaultValueFactory = _ => 1 };
        var treeCount = new Option<int>("--trees") { Description = "Boosted trees.", DefaultValueFactory = _ => RealBogusTrainer.DefaultTrees };
        var leaves = new Option<int>("--leaves") { Description = "Leaves per tree.", DefaultValueFactory = _ => RealBogusTrainer.DefaultLeaves };
        var rate = new Option<double>("--learning-rate") { Description = "Boosting learning rate (shrinkage).", DefaultValueFactory = _ => RealBogusTrainer.DefaultLearningRate };
        var output = new Option<string>("--out") { Description = "Model directory to write (card.json, CARD.md, model file).", DefaultValueFactory = _ => DefaultModel };
        var real = RealOption();
        var realLabels = RealLabelsOption();
        var realWeight = RealWeightOption();
        var command = new Command("rb", "Train the real/bogus boosted trees on generated alerts (and confidently labelled real ones); writes the model and its card.")
        {
            scenes, schemaDir, trainCount, testCount, seed, treeCount, leaves, rate, output, real, realLabels, realWeight,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var decoder = Decoder(parse.GetValue(schemaDir));
            var scenePaths = ScenePaths(parse.GetValue(scenes));
            var library = RealBogusCommands.TrainingScenes(scenePaths, decoder);
            Console.Out.WriteLine($"scenes: {library.Train.Count} training, {library.HeldOut.Count} held out ({library.Skipped} alerts could not host a scene)");
            var s = parse.GetValue(seed);
            var train = LabeledFeatures.Generate(new LabeledSetGenerator(library.Train, s), parse.GetValue(trainCount));
            var test = LabeledFeatures.Generate(new LabeledSetGenerator(library.HeldOut, s + 1), parse.GetValue(testCount));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated and measured {train.Count} + {test.Count} alerts in {clock.Elapsed.TotalSeconds:F0} s"));

            var features = RealBogusTrainer.DefaultFeatures;
            var trees = parse.GetValue(treeCount);
            var leafCount = parse.GetValue(leaves);
            var learningRate = parse.GetValue(rate);
            var (vectors, labels, weights, realUsed) = WithRealLabels(train, parse.GetValue(realLabels), parse.GetValue(realWeight));
            var bytes = RealBogusTrainer.Train(vectors, labels, features, s, trees, leafCount, learningRate, weights);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var provisional = NewCard(sha, features.Select(f => f.Name).ToArray(), s, trees, leafCount, learningRate, new JsonObject(), new JsonObject());
            using var model = RealBogusModel.FromBytes(provisional, bytes);

            var report = Evaluate(model, test);
            var realPaths = parse.GetValue(real) is { Length: > 0 } r ? r : scenePaths;
            var agreement = SurveyAgreement.Of(RealAlertScores.Score(realPaths, decoder, model.Score));
            var training = new JsonObject
            {
                ["command"] = "broker " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                ["generator"] = "Broker.Simulation (real: PSF injections; bogus: " + string.Join(", ", ArtifactFamilies.Bogus.Select(f => f.Name())) + ")",
                ["scenes"] = new JsonArray([.. scenePaths.Select(p => (JsonNode)p)]),
                ["real"] = new JsonArray([.. realPaths.Select(p => (JsonNode)p)]),
                ["schema_dir"] = parse.GetValue(schemaDir)?.ToString(),
                ["scenes_train"] = library.Train.Count,
                ["scenes_held_out"] = library.HeldOut.Count,
                ["seed"] = s,
                ["train_alerts"] = train.Count,
                ["held_out_alerts"] = test.Count,
                ["held_out_seed"] = s + 1,
                ["real_labels"] = realUsed,
            };
            var metrics = new JsonObject { ["held_out"] = report.ToJson(), ["real_alerts"] = agreement.ToJson() };
            var card = provisional with { Training = training, Metrics = metrics };
            var dir = parse.GetValue(output)!;
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, ModelFile), bytes);
            File.WriteAllText(Path.Combine(dir, ModelCard.FileName), card.ToJson());
            File.WriteAllText(Path.Combine(dir, ModelCardMarkdown.FileName), ModelCardMarkdown.Render(card,
                "Real/bogus classifier: gradient-boosted trees (ML.NET FastTree, Platt-calibrated) over the pixel features of the cutout triplet, " +
                "trained on generated labeled alerts (docs/models.md explains the data and its limits)."));

            Console.Out.Write(report.ToText("held-out generated set"));
            Console.Out.Write(agreement.ToText());
            Console.Out.WriteLine($"wrote {dir}/{ModelFile} (sha256 {sha}) and its card");
            Console.Out.WriteLine(KeyValues("train_rb", card.Id, report, agreement, clock.Elapsed.TotalSeconds));
            return 0;
        });
        return command;
    }

    public static Command Eval()
    {
        var modelDir = new Option<string>("--model") { Description = "Model directory.", DefaultValueFactory = _ => DefaultModel };
        var scenes = ScenesOption();
        var schemaDir = SchemaDirOption();
        var testCount = new Option<int?>("--test") { Description = "Generated held-out alerts (default: as recorded in the model card)." };
        var seed = new Option<int?>("--seed") { Description = "Held-out generator seed (default: as recorded in the model card)." };
        var real = RealOption();
        var command = new Command("rb", "Measure a real/bogus model: held-out generated set per artifact family, and agreement with ZTF rb/drb on real alerts.")
        {
            modelDir, scenes, schemaDir, testCount, seed, real,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            using var model = RealBogusModel.Load(RepoPaths.Resolve(parse.GetValue(modelDir)!));
            var training = model.Card.Training;
            var inputs = HeldOutInputs.FromCard(training, parse.GetValue(schemaDir), parse.GetValue(scenes), parse.GetValue(seed), parse.GetValue(testCount), parse.GetValue(real));
            var (library, scenePaths, s) = (inputs.Library, inputs.ScenePaths, inputs.Seed);
            var test = LabeledFeatures.Generate(new LabeledSetGenerator(library.HeldOut, s), inputs.Count);
            var report = Evaluate(model, test);
            var agreement = SurveyAgreement.Of(RealAlertScores.Score(inputs.RealPaths, inputs.Decoder, model.Score));
            Console.Out.WriteLine($"model {model.Id}; held-out scenes {library.HeldOut.Count} from {string.Join(", ", scenePaths)}; seed {s}");
            Console.Out.Write(report.ToText("held-out generated set"));
            Console.Out.Write(agreement.ToText());
            Console.Out.WriteLine(KeyValues("eval_rb", model.Id, report, agreement, clock.Elapsed.TotalSeconds));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The generated set, followed by the confidently labelled real alerts of the training half under
    /// <paramref name="paths"/> (none when no path is given) weighted <paramref name="weight"/> each; and what was used,
    /// for the card.
    /// </summary>
    internal static (float[] Vectors, float[] Labels, float[] Weights, JsonObject? Used) WithRealLabels(LabeledFeatures generated, string[]? paths, float weight)
    {
        if (RealLabelled(paths, weight) is not { } used)
        {
            return (generated.Vectors, generated.Labels, [], null);
        }

        var labelled = used.Labelled;
        var real = RealAlertScores.Of(labelled.Alerts);
        var weights = new float[generated.Count + labelled.Count];
        Array.Fill(weights, 1f, 0, generated.Count);
        Array.Fill(weights, weight, generated.Count, labelled.Count);
        return ([.. generated.Vectors, .. real.Vectors], [.. generated.Labels, .. labelled.Labels], weights, used.Card);
    }

    /// <summary>The confidently labelled real alerts of the training half under <paramref name="paths"/> (null when none given), and the card's record of them.</summary>
    internal static (RealTrainingLabels Labelled, JsonObject Card)? RealLabelled(string[]? paths, float weight)
    {
        if (paths is not { Length: > 0 })
        {
            return null;
        }

        var set = RealEvaluationSet.Load(paths, new AlertDecoder());
        var labelled = RealTrainingLabels.From(set.Training);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"real labels: {labelled.Count} confident alerts of {set.Training.Count} in the training half ({labelled.Real} real, {labelled.Count - labelled.Real} bogus; ZTF {labelled.Alerts.Count(a => a.Survey == Survey.Ztf)}, Rubin {labelled.Alerts.Count(a => a.Survey == Survey.Rubin)}), weight {weight}"));
        var card = new JsonObject
        {
            ["paths"] = new JsonArray([.. paths.Select(p => (JsonNode)p)]),
            ["rule"] = "training half by object; ZTF real if rb >= 0.65 and drb >= 0.9, bogus if rb <= 0.35 and drb <= 0.1; Rubin real if reliability >= 0.8, bogus if <= 0.2",
            ["alerts"] = labelled.Count,
            ["real"] = labelled.Real,
            ["weight"] = weight,
        };
        return (labelled, card);
    }

    internal static Option<string[]> RealLabelsOption() => new("--real-labels")
    {
        Description = "Real alerts (folders, Fink exports) whose training half, where the survey's scores are confident, joins the training set.",
        AllowMultipleArgumentsPerToken = true,
    };

    internal static Option<float> RealWeightOption() => new("--real-weight") { Description = "Weight of each real labelled alert (a generated one weighs 1).", DefaultValueFactory = _ => 10f };

    /// <summary>Paths recorded in the card when every one exists here (a fresh clone may lack them), else null.</summary>
    internal static string[]? Recorded(JsonObject training, string key)
    {
        if (training[key] is not JsonArray array || array.Count == 0)
        {
            return null;
        }

        var paths = array.Select(p => RepoPaths.Resolve(p!.GetValue<string>())).ToArray();
        if (paths.All(p => Directory.Exists(p) || File.Exists(p)))
        {
            return paths;
        }

        Console.Error.WriteLine($"note: the card's {key} folders ({string.Join(", ", paths)}) are not here; using {DefaultScenes} (figures will differ from the card)");
        return null;
    }

    private static ClassifierReport Evaluate(RealBogusModel model, LabeledFeatures set)
    {
        var scores = new float[set.Count];
        model.Score(set.Vectors, set.Count, scores);
        return ClassifierReport.Of(set.Scored(scores));
    }

    private static string KeyValues(string what, string id, ClassifierReport report, SurveyAgreement agreement, double seconds) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{what}=1 model={id} mdr_at_1pct_fpr={report.MissedAt1PctFpr:F4} auc={report.Auc:F4} n={report.Count} real_n={agreement.Count} spearman_rb={agreement.SpearmanRb:F3} spearman_drb={agreement.SpearmanDrb:F3} auc_vs_drb={agreement.AucVsDrbLabels:F3} seconds={seconds:F0}");

    private static ModelCard NewCard(string sha, IReadOnlyList<string> features, int seed, int trees, int leaves, double learningRate, JsonObject training, JsonObject metrics) => new()
    {
        Id = $"rb-fasttree-{sha[..12]}",
        Kind = RealBogusModel.Kind,
        ModelFile = ModelFile,
        Sha256 = sha,
        Created = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Library = "ML.NET 5.0.1 (Microsoft.ML.FastTree)",
        Features = features,
        Parameters = RealBogusTrainer.Parameters(seed, trees, leaves, learningRate),
        Rounds = trees,
        Training = training,
        Metrics = metrics,
    };

    internal static Option<string[]> ScenesOption() => new("--scenes")
    {
        Description = $"Alert files or folders whose scenes host generated candidates (default {DefaultScenes}).",
        AllowMultipleArgumentsPerToken = true,
    };

    internal static Option<string[]> RealOption() => new("--real")
    {
        Description = "Real ZTF alerts for agreement with rb/drb (default: the scene folders).",
        AllowMultipleArgumentsPerToken = true,
    };

    internal static Option<DirectoryInfo?> SchemaDirOption() => new("--schema-dir") { Description = "Schemas for Confluent-framed (Rubin) files." };

    /// <summary>
    /// The scene library of the generated sets: no object of the real-alert evaluation half hosts a training scene, so
    /// no evaluation alert's sky is ever in a generated training alert (the held-out generated scenes are as before).
    /// </summary>
    internal static SceneLibrary TrainingScenes(IEnumerable<string> paths, AlertDecoder decoder) =>
        SceneLibrary.Load(paths, decoder, a => !RealAlertSplit.InEvaluation(a));

    internal static string[] ScenePaths(string[]? given) => given is { Length: > 0 } ? given : [RepoPaths.Resolve(DefaultScenes)];

    internal static AlertDecoder Decoder(DirectoryInfo? schemaDir) =>
        new(schemaDir is null ? null : new LocalSchemaDirectory(schemaDir.FullName));
}
