// `broker train cnn-int8`: derives the int8 CNN the broker serves from the fp32 one. training/quantize_cnn.py
// calibrates activation ranges on generated training triplets and rewrites the graph in ONNX's QDQ form (ONNX
// Runtime runs it with its integer kernels); this command then loads the result through the broker's own loader,
// compares it with the fp32 model's torch outputs on the recorded inputs, measures it exactly as `broker eval cnn`
// does (same held-out set, the fp32 model's stacking weights), and writes its card. Nothing is retrained.
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

namespace Broker.Cli.Commands.Cnn;

internal static class CnnQuantizeCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "The fp32 CNN model directory to quantize.", DefaultValueFactory = _ => CnnCommands.DefaultModel };
        var output = new Option<string>("--out") { Description = "Model directory to write.", DefaultValueFactory = _ => CnnCommands.ServingModel };
        var data = new Option<string>("--data") { Description = "Calibration triplets: the train.npy that `broker train cnn --work DIR` wrote.", Required = true };
        var count = new Option<int>("--count") { Description = "Calibration triplets taken, spread over the file.", DefaultValueFactory = _ => 2000 };
        var rbModel = new Option<string>("--rb") { Description = "Boosted-trees model the stack uses.", DefaultValueFactory = _ => RealBogusCommands.DefaultModel };
        var python = new Option<string>("--python") { Description = "Python with torch and onnx (Debian python3-torch, python3-onnx).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var command = new Command("cnn-int8", "Quantize the fp32 CNN to int8 (training/quantize_cnn.py), measure it like `broker eval cnn`, write its card.")
        {
            from, output, data, count, rbModel, python,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var sourceDir = RepoPaths.Resolve(parse.GetValue(from)!);
            var outDir = RepoPaths.Resolve(parse.GetValue(output)!);
            using var source = CnnModel.Load(sourceDir);
            var script = RepoPaths.Resolve("training/quantize_cnn.py");
            var exit = CnnCommands.RunPython(parse.GetValue(python)!, script, ["--model", Path.Combine(sourceDir, source.Card.ModelFile),
                "--data", parse.GetValue(data)!, "--out", outDir, "--count", parse.GetValue(count).ToString(CultureInfo.InvariantCulture)]);
            if (exit != 0)
            {
                Console.Error.WriteLine($"error: {script} exited with {exit}");
                return 1;
            }

            var quantization = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "quantization.json")))!.AsObject();
            var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(outDir, CnnCommands.ModelFile))));
            var parameters = new Dictionary<string, string>(source.Card.Parameters)
            {
                ["quantized_from"] = source.Id,
                ["quantization"] = "int8 QDQ: " + quantization["activations"] + "; weights " + quantization["weights"] + "; bias " + quantization["bias"] +
                    "; kept in fp32: " + quantization["not_quantized"],
            };
            var training = source.Card.Training.DeepClone().AsObject();
            training["quantization"] = new JsonObject
            {
                ["command"] = "broker " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                ["script"] = "training/quantize_cnn.py",
                ["calibration_count"] = quantization["calibration"]?["count"]?.DeepClone(),
                ["simulated_max_abs_diff"] = quantization["simulated_max_abs_diff"]?.DeepClone(),
                ["ranges"] = quantization["ranges"]?.DeepClone(),
            };
            File.Delete(Path.Combine(outDir, "quantization.json"));
            var card = Card(source.Card, sha, parameters, training, new JsonObject());
            File.WriteAllText(Path.Combine(outDir, ModelCard.FileName), card.ToJson());

            using (var cnn = CnnModel.Load(outDir))
            using (var rb = RealBogusModel.Load(RepoPaths.Resolve(parse.GetValue(rbModel)!)))
            {
                var (maxDiff, meanDiff) = CnnCommands.RecordedDifferences(cnn, sourceDir);
                var combined = CombinedScore.FromParameters(cnn.Card.Parameters)
                    ?? throw new ModelLoadException($"{source.Id} has no combined.* parameters: retrain with `broker train cnn`.");
                var inputs = HeldOutInputs.FromCard(training, null, null, null, null, null);
                var test = LabeledFeatures.Generate(new LabeledSetGenerator(inputs.Library.HeldOut, inputs.Seed), inputs.Count, withTensors: true);
                var results = Evaluation.Run(cnn, rb, combined, test, RealAlertScores.Load(inputs.RealPaths, inputs.Decoder));
                var metrics = results.ToJson();
                metrics["int8_vs_fp32_torch_max_abs_diff"] = maxDiff;
                metrics["int8_vs_fp32_torch_mean_abs_diff"] = meanDiff;
                card = Card(source.Card, sha, parameters, training, metrics);
                Console.Out.Write(results.ToText());
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"int8 vs the fp32 model's torch outputs on its recorded inputs: max |diff| {maxDiff:F4}, mean {meanDiff:F5}"));
                Console.Out.WriteLine(results.KeyValues("train_cnn_int8", card.Id, clock.Elapsed.TotalSeconds));
            }

            File.WriteAllText(Path.Combine(outDir, ModelCard.FileName), card.ToJson());
            File.WriteAllText(Path.Combine(outDir, ModelCardMarkdown.FileName), ModelCardMarkdown.Render(card,
                $"Real/bogus CNN on the cutout triplet: {source.Id} quantized to int8 (QDQ) by training/quantize_cnn.py for ONNX " +
                "Runtime's integer kernels; same preprocessing and stacking weights; the broker's default CNN (docs/models.md)."));
            return 0;
        });
        return command;
    }

    private static ModelCard Card(ModelCard source, string sha, Dictionary<string, string> parameters, JsonObject training, JsonObject metrics) => new()
    {
        Id = $"cnn-onnx-int8-{sha[..12]}",
        Kind = source.Kind,
        ModelFile = CnnCommands.ModelFile,
        Sha256 = sha,
        Created = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Library = source.Library + " (int8 QDQ by training/quantize_cnn.py; QLinearConv kernels)",
        Preprocessing = source.Preprocessing,
        Parameters = parameters,
        Rounds = source.Rounds,
        Training = training,
        Metrics = metrics,
    };
}
