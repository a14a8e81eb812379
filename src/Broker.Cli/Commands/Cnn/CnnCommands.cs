// `broker train cnn` and `broker eval cnn`: the cutout CNN, trained by training/train_cnn.py (Debian
// python3-torch) on generated triplets the broker writes, run here by ONNX Runtime. Both commands measure the
// CNN, the boosted trees and their stack (CombinedScore) on the same held-out generated alerts and on real ZTF
// alerts against ZTF's rb/drb, and end with one key=value line.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Broker.Cli.Commands.RealBogus;
using Broker.Cli.Hosting;
using Broker.Models.Cards;
using Broker.Models.Cnn;
using Broker.Models.Evaluation;
using Broker.Models.RealBogus;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Commands.Cnn;

internal static class CnnCommands
{
    /// <summary>The fp32 network `broker train cnn` writes (and the int8 one is derived from).</summary>
    public const string DefaultModel = "models/cnn";

    /// <summary>The CNN the broker runs by default, and `eval cnn` / `bench cnn` measure: the int8 derivative.</summary>
    public const string ServingModel = "models/cnn-int8";
    public const string ModelFile = "cnn.onnx";
    public const string RecordedInputs = "recorded_inputs.npy";
    public const string RecordedOutputs = "recorded_outputs.npy";
    public const string RecordedRows = "recorded_alerts.tsv";
    private const int RecordedCount = 32;

    public static Command Train()
    {
        var scenes = RealBogusCommands.ScenesOption();
        var schemaDir = RealBogusCommands.SchemaDirOption();
        var real = RealBogusCommands.RealOption();
        var trainCount = new Option<int>("--train") { Description = "Generated training triplets.", DefaultValueFactory = _ => 40000 };
        var validCount = new Option<int>("--valid") { Description = "Generated validation triplets (epoch choice, stacking weights).", DefaultValueFactory = _ => 4000 };
        var testCount = new Option<int>("--test") { Description = "Generated held-out triplets.", DefaultValueFactory = _ => 6000 };
        var seed = new Option<int>("--seed") { Description = "Generator and torch seed (held-out set: seed + 1, validation: seed + 2).", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 12 };
        var output = new Option<string>("--out") { Description = "Model directory to write.", DefaultValueFactory = _ => DefaultModel };
        var rbModel = new Option<string>("--rb") { Description = "Boosted-trees model to stack with.", DefaultValueFactory = _ => RealBogusCommands.DefaultModel };
        var work = new Option<string>("--work") { Description = "Folder for the generated .npy data.", DefaultValueFactory = _ => "artifacts/cnn-data" };
        var python = new Option<string>("--python") { Description = "Python with torch and onnx (Debian python3-torch, python3-onnx).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var trained = new Option<bool>("--trained")
        {
            Description = "The script already wrote the model to --out (run by hand on --work's data): skip the training set and the script, measure and write the card.",
        };
        var realLabels = RealBogusCommands.RealLabelsOption();
        var realWeight = RealBogusCommands.RealWeightOption();
        var scriptArgs = new Option<string[]>("--script-arg")
        {
            Description = "Extra argument for training/train_cnn.py (repeatable), e.g. --script-arg=--first-block-convs --script-arg=2.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("cnn", "Train the cutout CNN (training/train_cnn.py) on generated triplets (and confidently labelled real ones); writes the ONNX model and its card.")
        {
            scenes, schemaDir, real, trainCount, validCount, testCount, seed, epochs, output, rbModel, work, python, trained, realLabels, realWeight, scriptArgs,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var decoder = RealBogusCommands.Decoder(parse.GetValue(schemaDir));
            var scenePaths = RealBogusCommands.ScenePaths(parse.GetValue(scenes));
            var library = RealBogusCommands.TrainingScenes(scenePaths, decoder);
            // Validation scenes: every 7th training scene, left out of the training set, so that the epoch choice and
            // the stack's weights are measured on scenes the network has not seen, as the held-out set is. (With
            // validation alerts drawn from the training scenes, later epochs looked better there and worse on
            // held-out scenes: the network learns the scenes.)
            var validScenes = library.Train.Where((_, i) => i % 7 == 3).ToList();
            var trainScenes = library.Train.Where((_, i) => i % 7 != 3).ToList();
            Console.Out.WriteLine($"scenes: {trainScenes.Count} training, {validScenes.Count} validation, {library.HeldOut.Count} held out");
            var s = parse.GetValue(seed);
            var dataDir = RepoPaths.Resolve(parse.GetValue(work)!);
            Directory.CreateDirectory(dataDir);
            var realUsed = RealBogusCommands.RealLabelled(parse.GetValue(realLabels), parse.GetValue(realWeight));
            if (!parse.GetValue(trained))
            {
                // Real labelled triplets are repeated `weight` times (the script has no example weights).
                var copies = (int)Math.Round(parse.GetValue(realWeight));
                CnnTrainingData.WriteGenerated(new LabeledSetGenerator(trainScenes, s), parse.GetValue(trainCount), dataDir, "train",
                    realUsed is { Labelled.Count: > 0 } used ? (RealAlertScores.Of(used.Labelled.Alerts).Tensors(), used.Labelled.Labels, copies) : null);
            }

            var valid = LabeledFeatures.Generate(new LabeledSetGenerator(validScenes, s + 2), parse.GetValue(validCount), withTensors: true);
            CnnTrainingData.WriteTensors(dataDir, "valid", valid.Tensors, valid.Count, valid.Labels);
            var test = LabeledFeatures.Generate(new LabeledSetGenerator(library.HeldOut, s + 1), parse.GetValue(testCount), withTensors: true);
            CnnTrainingData.WriteRecorded(dataDir, RepoPaths.Resolve(RealBogusCommands.DefaultScenes), test, RecordedCount);
            var realPaths = parse.GetValue(real) is { Length: > 0 } r ? r : scenePaths;
            var training = new JsonObject
            {
                ["command"] = "broker " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                ["script"] = "training/train_cnn.py",
                ["generator"] = "Broker.Simulation (real: PSF injections; bogus: " + string.Join(", ", ArtifactFamilies.Bogus.Select(f => f.Name())) + ")",
                ["scenes"] = new JsonArray([.. scenePaths.Select(p => (JsonNode)p)]),
                ["real"] = new JsonArray([.. realPaths.Select(p => (JsonNode)p)]),
                ["schema_dir"] = parse.GetValue(schemaDir)?.ToString(),
                ["scenes_train"] = trainScenes.Count,
                ["scenes_valid"] = validScenes.Count,
                ["scenes_held_out"] = library.HeldOut.Count,
                ["seed"] = s,
                ["train_alerts"] = parse.GetValue(trainCount),
                ["valid_alerts"] = valid.Count,
                ["valid_seed"] = s + 2,
                ["held_out_alerts"] = test.Count,
                ["held_out_seed"] = s + 1,
                ["real_labels"] = realUsed?.Card,
            };
            CnnTrainingData.WriteMeta(dataDir, training);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote training data to {dataDir} in {clock.Elapsed.TotalSeconds:F0} s"));

            var outDir = RepoPaths.Resolve(parse.GetValue(output)!);
            var script = RepoPaths.Resolve("training/train_cnn.py");
            var exit = parse.GetValue(trained) ? 0 : RunPython(parse.GetValue(python)!, script, ["--data", dataDir, "--out", outDir,
                "--epochs", parse.GetValue(epochs).ToString(CultureInfo.InvariantCulture), "--seed", s.ToString(CultureInfo.InvariantCulture), .. parse.GetValue(scriptArgs) ?? []]);
            if (exit != 0)
            {
                Console.Error.WriteLine($"error: {script} exited with {exit}");
                return 1;
            }

            File.Copy(Path.Combine(dataDir, "recorded.npy"), Path.Combine(outDir, RecordedInputs), overwrite: true);
            File.Copy(Path.Combine(dataDir, "recorded.tsv"), Path.Combine(outDir, RecordedRows), overwrite: true);
            var log = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "training_log.json")))!.AsObject();
            training["torch"] = log["torch"]?.DeepClone();
            training["training_seconds"] = log["seconds"]?.DeepClone();
            training["best_epoch"] = log["best_epoch"]?.DeepClone();
            training["epochs_log"] = log["log"]?.DeepClone();
            var bytes = File.ReadAllBytes(Path.Combine(outDir, ModelFile));
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var parameters = new Dictionary<string, string>
            {
                ["architecture"] = log["architecture"]!.GetValue<string>(),
                ["parameters"] = log["parameters"]!.ToString(),
                ["optimizer"] = log["optimizer"]!.GetValue<string>(),
                ["batch"] = log["batch"]!.ToString(),
                ["lr"] = log["lr"]!.ToString(),
                ["augmentation"] = log["augmentation"]!.GetValue<string>(),
                ["selection"] = log["selection"]?.GetValue<string>() ?? "epoch with the lowest validation loss",
                ["onnx_opset"] = log["onnx_opset"]!.ToString(),
            };
            var card = NewCard(sha, parse.GetValue(epochs), parameters, training, new JsonObject());
            File.WriteAllText(Path.Combine(outDir, ModelCard.FileName), card.ToJson());

            // Load through the broker's own loader (checks sha256, declared shapes, preprocessing), then measure.
            CombinedScore combined;
            using (var cnn = CnnModel.Load(outDir))
            using (var rb = RealBogusModel.Load(RepoPaths.Resolve(parse.GetValue(rbModel)!)))
            {
                var fidelity = RecordedDifferences(cnn, outDir).Max;
                combined = CombinedScore.Fit(Scores(rb, valid), Scores(cnn, valid), valid.Labels);
                foreach (var (k, v) in combined.ToParameters(rb.Id))
                {
                    parameters[k] = v;
                }

                var results = Evaluation.Run(cnn, rb, combined, test, RealAlertScores.Load(realPaths, decoder));
                var metrics = results.ToJson();
                metrics["onnx_vs_torch_max_abs_diff"] = fidelity;
                card = NewCard(sha, parse.GetValue(epochs), parameters, training, metrics);
                Console.Out.Write(results.ToText());
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ONNX Runtime vs torch on {RecordedCount} recorded inputs: max |diff| {fidelity:E2}"));
                Console.Out.WriteLine(results.KeyValues("train_cnn", card.Id, clock.Elapsed.TotalSeconds));
            }

            File.WriteAllText(Path.Combine(outDir, ModelCard.FileName), card.ToJson());
            File.WriteAllText(Path.Combine(outDir, ModelCardMarkdown.FileName), ModelCardMarkdown.Render(card,
                "Real/bogus CNN on the cutout triplet (braai-like), trained with torch by training/train_cnn.py on generated " +
                "labeled alerts and run by ONNX Runtime; `combined.*` parameters stack it with the boosted trees (docs/models.md)."));
            return 0;
        });
        return command;
    }

    public static Command Eval()
    {
        var modelDir = new Option<string>("--model") { Description = "CNN model directory.", DefaultValueFactory = _ => ServingModel };
        var rbModel = new Option<string>("--rb") { Description = "Boosted-trees model directory.", DefaultValueFactory = _ => RealBogusCommands.DefaultModel };
        var scenes = RealBogusCommands.ScenesOption();
        var schemaDir = RealBogusCommands.SchemaDirOption();
        var testCount = new Option<int?>("--test") { Description = "Generated held-out alerts (default: as recorded in the model card)." };
        var seed = new Option<int?>("--seed") { Description = "Held-out generator seed (default: as recorded in the model card)." };
        var real = RealBogusCommands.RealOption();
        var likelyReal = new Option<double>("--likely-real") { Description = "The likely_real threshold whose pass rates are reported (combined >= T and positive).", DefaultValueFactory = _ => SurveyStackCommand.ServedLikelyReal };
        var command = new Command("cnn", "Measure the CNN, the boosted trees and their combination on the same held-out generated set and real alerts.")
        {
            modelDir, rbModel, scenes, schemaDir, testCount, seed, real, likelyReal,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            using var cnn = CnnModel.Load(RepoPaths.Resolve(parse.GetValue(modelDir)!));
            using var rb = RealBogusModel.Load(RepoPaths.Resolve(parse.GetValue(rbModel)!));
            var combined = CombinedScore.FromParameters(cnn.Card.Parameters)
                ?? throw new ModelLoadException($"{cnn.Id} has no combined.* parameters: retrain with `broker train cnn`.");
            var training = cnn.Card.Training;
            var inputs = HeldOutInputs.FromCard(training, parse.GetValue(schemaDir), parse.GetValue(scenes), parse.GetValue(seed), parse.GetValue(testCount), parse.GetValue(real));
            var (library, scenePaths, s) = (inputs.Library, inputs.ScenePaths, inputs.Seed);
            var test = LabeledFeatures.Generate(new LabeledSetGenerator(library.HeldOut, s), inputs.Count, withTensors: true);
            var results = Evaluation.Run(cnn, rb, combined, test, RealAlertScores.Load(inputs.RealPaths, inputs.Decoder), parse.GetValue(likelyReal));
            Console.Out.WriteLine($"models {cnn.Id} + {rb.Id}; held-out scenes {library.HeldOut.Count} from {string.Join(", ", scenePaths)}; seed {s}");
            Console.Out.Write(results.ToText());
            Console.Out.WriteLine(results.KeyValues("eval_cnn", cnn.Id, clock.Elapsed.TotalSeconds));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Largest and mean |<paramref name="cnn"/> - torch| over the inputs the training script recorded in
    /// <paramref name="recordedDir"/> (the model's own directory, or the fp32 model an int8 one derives from).
    /// </summary>
    public static (double Max, double Mean) RecordedDifferences(CnnModel cnn, string recordedDir)
    {
        ArgumentNullException.ThrowIfNull(cnn);
        var (inputs, shape) = NpyFile.Read(Path.Combine(recordedDir, RecordedInputs));
        var (expected, _) = NpyFile.Read(Path.Combine(recordedDir, RecordedOutputs));
        var scores = new float[shape[0]];
        cnn.Score(inputs, shape[0], scores);
        var diffs = scores.Select((v, i) => (double)Math.Abs(v - expected[i])).ToArray();
        return (diffs.Max(), diffs.Average());
    }

    /// <summary>A model directory option's value resolved, or null for "none" (run without a CNN).</summary>
    public static string? ModelDirOrNone(string? dir) => dir is null or "none" ? null : RepoPaths.Resolve(dir);

    internal static float[] Scores(CnnModel cnn, LabeledFeatures set)
    {
        var scores = new float[set.Count];
        cnn.Score(set.Tensors, set.Count, scores);
        return scores;
    }

    internal static float[] Scores(RealBogusModel rb, LabeledFeatures set)
    {
        var scores = new float[set.Count];
        rb.Score(set.Vectors, set.Count, scores);
        return scores;
    }

    internal static int RunPython(string python, string script, string[] args)
    {
        var start = new ProcessStartInfo(python) { UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        Console.Out.WriteLine($"running {python} {script} {string.Join(' ', args)}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        process.WaitForExit();
        return process.ExitCode;
    }

    private static ModelCard NewCard(string sha, int epochs, Dictionary<string, string> parameters, JsonObject training, JsonObject metrics) => new()
    {
        Id = $"cnn-onnx-{sha[..12]}",
        Kind = CnnModel.Kind,
        ModelFile = ModelFile,
        Sha256 = sha,
        Created = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Library = "torch (training, Debian python3-torch) -> ONNX opset 13 -> ONNX Runtime 1.30 C API",
        Preprocessing = CutoutTensor.Version,
        Parameters = new Dictionary<string, string>(parameters),
        Rounds = epochs,
        Training = training,
        Metrics = metrics,
    };
}
