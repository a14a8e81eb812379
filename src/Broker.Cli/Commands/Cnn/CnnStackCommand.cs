// `broker train stack`: refits the combined (stacked) score's weights of existing CNNs against the real/bogus trees
// in force, without retraining the network. The weights belong to a pair of models (the card records the trees' id),
// so a new trees model needs new weights. Same data as `broker train cnn` fits them on: generated validation
// alerts from every 7th training scene, seed + 2; then the held-out set and the real alerts are measured again and
// the CNN's card (parameters, metrics, CARD.md) is rewritten. The network file, and so its sha256, is untouched.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Cli.Commands.RealBogus;
using Broker.Cli.Hosting;
using Broker.Models.Cards;
using Broker.Models.Cnn;
using Broker.Models.RealBogus;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Commands.Cnn;

internal static class CnnStackCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--cnn")
        {
            Description = "CNN model directories whose stacking weights to refit (default: models/cnn and models/cnn-int8).",
            AllowMultipleArgumentsPerToken = true,
        };
        var rbModel = new Option<string>("--rb") { Description = "Boosted-trees model to stack with.", DefaultValueFactory = _ => RealBogusCommands.DefaultModel };
        var validCount = new Option<int>("--valid") { Description = "Generated validation triplets the weights are fitted on.", DefaultValueFactory = _ => 4000 };
        var command = new Command("stack", "Refit the CNN + trees stacking weights for the trees model in force; rewrites the CNN cards (not the networks).")
        {
            models, rbModel, validCount,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            using var rb = RealBogusModel.Load(RepoPaths.Resolve(parse.GetValue(rbModel)!));
            var dirs = parse.GetValue(models) is { Length: > 0 } given ? given : [CnnCommands.DefaultModel, CnnCommands.ServingModel];
            // An int8 derivative keeps its fp32 source's weights (it is that network, rounded) when both are refitted.
            var fitted = new Dictionary<string, CombinedScore>(StringComparer.Ordinal);
            foreach (var dir in dirs.Select(RepoPaths.Resolve))
            {
                ModelCard card;
                Evaluation results;
                CombinedScore combined;
                using (var cnn = CnnModel.Load(dir))
                {
                    var inputs = HeldOutInputs.FromCard(cnn.Card.Training, null, null, null, null, null);
                    var s = cnn.Card.Training["seed"]?.GetValue<int>() ?? 1;
                    var validScenes = inputs.Library.Train.Where((_, i) => i % 7 == 3).ToList();
                    var valid = LabeledFeatures.Generate(new LabeledSetGenerator(validScenes, s + 2), parse.GetValue(validCount), withTensors: true);
                    combined = cnn.Card.Parameters.TryGetValue("quantized_from", out var source) && fitted.TryGetValue(source, out var sourceWeights)
                        ? sourceWeights
                        : CombinedScore.Fit(CnnCommands.Scores(rb, valid), CnnCommands.Scores(cnn, valid), valid.Labels);
                    fitted[cnn.Id] = combined;
                    var test = LabeledFeatures.Generate(new LabeledSetGenerator(inputs.Library.HeldOut, inputs.Seed), inputs.Count, withTensors: true);
                    results = Evaluation.Run(cnn, rb, combined, test, RealAlertScores.Load(inputs.RealPaths, inputs.Decoder));
                    var parameters = new Dictionary<string, string>(cnn.Card.Parameters);
                    foreach (var (k, v) in combined.ToParameters(rb.Id))
                    {
                        parameters[k] = v;
                    }

                    var metrics = cnn.Card.Metrics.DeepClone().AsObject();
                    foreach (var (k, v) in results.ToJson())
                    {
                        metrics[k] = v?.DeepClone();
                    }

                    var training = cnn.Card.Training.DeepClone().AsObject();
                    training["stacking"] = new System.Text.Json.Nodes.JsonObject
                    {
                        ["command"] = "broker " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                        ["rb_model"] = rb.Id,
                        ["valid_scenes"] = validScenes.Count,
                        ["valid_alerts"] = valid.Count,
                        ["valid_seed"] = s + 2,
                        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    };
                    card = cnn.Card with { Parameters = parameters, Training = training, Metrics = metrics };
                }

                var markdown = Path.Combine(dir, ModelCardMarkdown.FileName);
                var description = File.Exists(markdown) ? Description(File.ReadAllText(markdown)) : "Real/bogus CNN on the cutout triplet.";
                File.WriteAllText(Path.Combine(dir, ModelCard.FileName), card.ToJson());
                File.WriteAllText(markdown, ModelCardMarkdown.Render(card, description));
                Console.Out.WriteLine($"{card.Id}: stacked with {rb.Id}: {combined}");
                Console.Out.Write(results.ToText());
                Console.Out.WriteLine(results.KeyValues("train_stack", card.Id, clock.Elapsed.TotalSeconds));
            }

            return 0;
        });
        return command;
    }

    // CARD.md starts with "# Model card: <id>", a blank line, then the one-paragraph description.
    private static string Description(string markdown) =>
        markdown.Split("\n\n", StringSplitOptions.RemoveEmptyEntries) is { Length: > 1 } parts ? parts[1].Trim() : "Real/bogus CNN on the cutout triplet.";
}
