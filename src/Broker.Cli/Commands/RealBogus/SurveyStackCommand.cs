// `broker train survey-stack [PATH...] [--write]`: the served rb_combined of each survey, fitted on real alerts and
// measured as a new night would see it (issue 29). For ZTF: a logistic stack over the trees, the CNN and the packet's
// own random-forest rb, with braai's drb as the judge (labels drb >= 0.5; drb is never an input). Its figure is
// leave-one-group-out over groups of origin and observing night (RealEvaluationSet.Group): every alert scored by a
// stack fitted on no alert of its night, its origin or its object (LeaveOneGroupOut's strict form); pooled AUC with a 95% interval resampling groups, and the per-group
// spread, beside ZTF's rb, the trees, the CNN and the generic stack on the same alerts. Only the evaluation half
// (objects no training ever saw) is used, as the trees were trained with real labels of the other half. Then the
// likely_real threshold: the highest score that keeps 98% of the positive alerts braai calls real with drb >= 0.9,
// and the purity it buys. --write stores the stack fitted on every group in the CNN cards (stack.ztf.*).
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Cli.Hosting;
using Broker.Models.Cards;
using Broker.Models.Evaluation;
using Broker.Models.RealBogus;

namespace Broker.Cli.Commands.RealBogus;

internal static class SurveyStackCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The inputs of ZTF's served stack: the broker's two scores and the packet's rb (never drb, the judge).</summary>
    public static readonly string[] ZtfInputs = ["trees", "cnn", "ztf_rb"];

    /// <summary>The threshold deploy/broker.json's likely_real uses (`rb_combined >= 0.74 and positive`).</summary>
    public const double ServedLikelyReal = 0.74;

    public static Command Create()
    {
        var paths = RealEvaluationSet.PathsArgument();
        var rb = new Option<string>("--rb") { Description = "The trees' model directory.", DefaultValueFactory = _ => RepoPaths.Resolve("models/rb") };
        var cnns = new Option<string[]>("--cnn") { Description = "CNN model directories whose cards get the stack (default models/cnn-int8 and models/cnn).", AllowMultipleArgumentsPerToken = true };
        var write = new Option<bool>("--write") { Description = "Store the stack fitted on every group in the CNN cards (else only report)." };
        var keep = new Option<double>("--keep") { Description = "The share of confidently real positive alerts likely_real must keep.", DefaultValueFactory = _ => 0.98 };
        var servedThreshold = new Option<double>("--served-threshold") { Description = "The threshold deploy/broker.json's likely_real uses (reported as it is, not chosen here).", DefaultValueFactory = _ => ServedLikelyReal };
        var command = new Command("survey-stack", "Fit each survey's served rb_combined on real alerts (ZTF: trees, CNN, packet rb; judged by drb) and measure it leave-one-night-and-origin-out.")
        {
            paths, rb, cnns, write, keep, servedThreshold,
        };
        command.SetAction(parse =>
        {
            var given = parse.GetValue(paths) is { Length: > 0 } p ? p : RealEvaluationSet.DefaultPaths();
            var set = RealEvaluationSet.Load(given, new AlertDecoder());
            var dirs = parse.GetValue(cnns) is { Length: > 0 } d ? d : [Cnn.CnnCommands.DefaultModel, Cnn.CnnCommands.ServingModel];

            // An int8 derivative keeps its fp32 source's weights (it is that network, rounded), as `train stack` does.
            var fittedFor = new Dictionary<string, SurveyStack>(StringComparer.Ordinal);
            foreach (var dir in dirs.Select(RepoPaths.Resolve))
            {
                using var served = ServedRealBogus.Load(parse.GetValue(rb)!, dir);
                var ztf = set.Evaluation.Where(a => a.Survey == Survey.Ztf && !double.IsNaN(a.SourceNumber("drb")) && !double.IsNaN(a.SourceNumber("rb"))).ToList();
                if (ztf.Count == 0 || ztf.All(a => a.SourceNumber("drb") >= 0.5) || ztf.All(a => a.SourceNumber("drb") < 0.5))
                {
                    Console.Error.WriteLine($"error: the evaluation half of {string.Join(", ", given)} has no ZTF alerts with drb of both classes.");
                    return 2;
                }

                // The generic trees + CNN stack, not the served one (which, once written, is the survey stack itself).
                var (trees, cnn, _) = served.Score(ztf);
                var generic = trees.Select((t, i) => served.Combined.Score(t, cnn[i])).ToArray();
                var report = Measure(set, ztf, trees, cnn, generic, served.Combined, parse.GetValue(keep), parse.GetValue(servedThreshold));
                Console.Out.Write(report.Text);
                Console.Out.Write(LsstCam(set, served, report.Json, parse.GetValue(servedThreshold)));
                var stack = served.Cnn.Card.Parameters.TryGetValue("quantized_from", out var source) && fittedFor.TryGetValue(source, out var sourceStack)
                    ? sourceStack
                    : report.Fitted;
                fittedFor[served.Cnn.Id] = stack;
                if (parse.GetValue(write))
                {
                    Write(dir, served.Cnn.Card, stack, report.Json, given);
                    Console.Out.WriteLine($"{served.Cnn.Id}: stack.ztf = {stack} written to {Path.Combine(dir, ModelCard.FileName)}{(stack != report.Fitted ? $" (its source {source}'s)" : string.Empty)}");
                }

                Console.Out.WriteLine($"survey_stack=1 cnn={served.Cnn.Id} " + string.Join(' ', report.Json.Select(kv => $"{kv.Key}={kv.Value}")));
            }

            return 0;
        });
        return command;
    }

    private sealed record Report(string Text, SurveyStack Fitted, JsonObject Json);

    private static Report Measure(RealEvaluationSet set, List<Alert> ztf, float[] trees, float[] cnn, float[] generic, CombinedScore combined, double keep, double servedThreshold)
    {
        var labels = ztf.Select(a => a.SourceNumber("drb") >= 0.5).ToArray();
        var names = ztf.Select(set.Group).ToList();
        var ids = names.Distinct().Select((g, i) => (g, i)).ToDictionary(x => x.g, x => x.i);
        var groups = names.Select(n => ids[n]).ToArray();
        var rows = ztf.Select((a, i) => ZtfInputs.Select(n => SurveyStack.Input(n, a, trees[i], cnn[i])).ToArray()).ToList();
        // Strict: a held-out group's fit sees no alert of its night, its origin or its objects, from any group.
        var sizes = new List<int>();
        var keys = ztf.Select(set.SharedKeys).ToList();
        var logo = LeaveOneGroupOut.Predict(groups, keys, training => FitOn(training, rows, labels), sizes);
        sizes.Sort();
        var fitted = SurveyStack.Fit(ZtfInputs, rows, labels);
        var packetRb = ztf.Select(a => (float)a.SourceNumber("rb")).ToArray();

        var text = new System.Text.StringBuilder();
        text.AppendLine(string.Create(Inv, $"ZTF, evaluation half: {ztf.Count} alerts with rb and drb ({labels.Count(l => l)} drb >= 0.5) in {ids.Count} groups of origin and night ({ztf.Select(a => a.ObjectId).Distinct().Count()} objects)"));
        text.AppendLine(string.Create(Inv, $"  fitted on every group: {fitted}"));
        text.AppendLine(string.Create(Inv, $"  each held-out group's fit excludes its nights, origins and objects: {sizes[0]} / {sizes[sizes.Count / 2]} / {sizes[^1]} training alerts (min / median / max)"));
        var json = new JsonObject { ["n"] = ztf.Count, ["groups"] = ids.Count, ["fold_training_min"] = sizes[0], ["fold_training_median"] = sizes[sizes.Count / 2] };
        foreach (var (name, key, scores) in new[]
        {
            ("served stack, leave-one-group-out", "stack_logo", logo), ("ZTF rf rb (packet)", "ztf_rb", packetRb),
            ("trees", "trees", trees), ("CNN", "cnn", cnn), ("generic trees+CNN stack", "generic", generic),
        })
        {
            var auc = Metrics.RocAuc(scores, labels);
            var (low, high) = BootstrapInterval.Auc(scores, labels, groups);
            var spread = LeaveOneGroupOut.GroupAucs(scores, labels, groups).Order().ToList();
            text.AppendLine(string.Create(Inv, $"  {name,-36} AUC vs drb {auc:F3} [{low:F3}, {high:F3}]; per group ({spread.Count} with both classes): {(spread.Count > 0 ? $"min {spread[0]:F3}, median {spread[spread.Count / 2]:F3}, max {spread[^1]:F3}" : "-")}"));
            json[$"{key}_auc"] = Math.Round(auc, 4);
            json[$"{key}_low"] = Math.Round(low, 4);
            json[$"{key}_high"] = Math.Round(high, 4);
        }

        var (dLow, dHigh) = BootstrapInterval.AucDifference(logo, packetRb, labels, groups);
        text.AppendLine(string.Create(Inv, $"  served stack minus ZTF rf rb, paired over the same resamples: AUC {Metrics.RocAuc(logo, labels) - Metrics.RocAuc(packetRb, labels):+0.000;-0.000} [{dLow:+0.000;-0.000}, {dHigh:+0.000;-0.000}]"));
        json["stack_minus_ztf_rb_low"] = Math.Round(dLow, 4);
        json["stack_minus_ztf_rb_high"] = Math.Round(dHigh, 4);

        // likely_real: the threshold that keeps `keep` of the positive alerts braai is confident about, on the
        // leave-one-group-out scores, and what it lets through.
        var confident = Enumerable.Range(0, ztf.Count).Where(i => ztf[i].IsPositive && ztf[i].SourceNumber("drb") >= 0.9).Select(i => logo[i]).Order().ToList();
        var threshold = confident.Count > 0 ? confident[(int)Math.Floor((1 - keep) * confident.Count)] : float.NaN;
        var passing = Enumerable.Range(0, ztf.Count).Where(i => ztf[i].IsPositive && logo[i] >= threshold).ToList();
        var purity = passing.Count == 0 ? double.NaN : passing.Count(i => labels[i]) / (double)passing.Count;
        var bogus = Enumerable.Range(0, ztf.Count).Where(i => ztf[i].IsPositive && !labels[i]).ToList();
        var threshold09 = Enumerable.Range(0, ztf.Count).Where(i => ztf[i].IsPositive && ztf[i].SourceNumber("drb") >= 0.9).Count(i => logo[i] >= 0.9);
        text.AppendLine(string.Create(Inv, $"  likely_real: keeping {keep:P0} of the {confident.Count} positive alerts with drb >= 0.9 takes rb_combined >= {threshold:F3}; it passes {passing.Count} positive alerts, {purity:P1} of them drb >= 0.5, and {bogus.Count(i => logo[i] >= threshold)} of the {bogus.Count} positive alerts drb calls bogus; at 0.9 it keeps {threshold09} of {confident.Count}"));
        var atServed = Enumerable.Range(0, ztf.Count).Where(i => ztf[i].IsPositive && ztf[i].SourceNumber("drb") >= 0.9).Count(i => logo[i] >= servedThreshold);
        var passingServed = Enumerable.Range(0, ztf.Count).Where(i => ztf[i].IsPositive && logo[i] >= servedThreshold).ToList();
        var purityServed = passingServed.Count == 0 ? double.NaN : passingServed.Count(i => labels[i]) / (double)passingServed.Count;
        text.AppendLine(string.Create(Inv, $"  likely_real as served (rb_combined >= {servedThreshold:F2}, fixed beforehand): keeps {atServed} of {confident.Count} ({atServed / (double)confident.Count:P1}); passes {passingServed.Count} positive alerts, {purityServed:P1} of them drb >= 0.5"));
        json["likely_real_served_keep"] = confident.Count == 0 ? double.NaN : Math.Round(atServed / (double)confident.Count, 4);
        json["likely_real_served_purity"] = Math.Round(purityServed, 4);
        json["likely_real_threshold"] = Math.Round(threshold, 4);
        json["likely_real_purity"] = Math.Round(purity, 4);
        json["likely_real_keep_at_0_9"] = confident.Count == 0 ? double.NaN : Math.Round(threshold09 / (double)confident.Count, 4);

        // The threshold as a new night gets it: for each held-out group, chosen the same way (keeping `keep` of the
        // confident positives) on the inner leave-one-group-out scores of its training groups alone, then applied to
        // the group's own outer score. The threshold above is chosen on the very alerts it is reported on; this is not.
        var isConfident = ztf.Select(a => a.IsPositive && a.SourceNumber("drb") >= 0.9).ToArray();
        var nested = LeaveOneGroupOut.PassesNestedThreshold(groups, keys, training => FitOn(training, rows, labels), isConfident, keep);
        var nestedKept = Enumerable.Range(0, ztf.Count).Count(i => isConfident[i] && nested[i]);
        var nestedPassing = Enumerable.Range(0, ztf.Count).Where(i => ztf[i].IsPositive && nested[i]).ToList();
        var nestedPurity = nestedPassing.Count == 0 ? double.NaN : nestedPassing.Count(i => labels[i]) / (double)nestedPassing.Count;
        // Resampling objects, not groups: the alerts a threshold misses tend to be one object's, night after night.
        var confidentRows = Enumerable.Range(0, ztf.Count).Where(i => isConfident[i]).ToList();
        var (nLow, nHigh) = BootstrapInterval.Share([.. confidentRows.Select(i => nested[i])], [.. confidentRows.Select(i => RealAlertSplit.ObjectHash(ztf[i]).GetHashCode())]);
        var missedObjects = confidentRows.Where(i => !nested[i]).Select(i => ztf[i].ObjectId).Distinct().Order(StringComparer.Ordinal).ToList();
        text.AppendLine(string.Create(Inv, $"  likely_real with the threshold chosen without the held-out group (nested): keeps {nestedKept} of {confident.Count} ({nestedKept / (double)confident.Count:P1} [{nLow:P1}, {nHigh:P1}] resampling objects); passes {nestedPassing.Count} positive alerts, {nestedPurity:P1} of them drb >= 0.5; the missed are of {missedObjects.Count} object(s): {string.Join(", ", missedObjects.Take(5))}"));
        json["likely_real_nested_keep"] = confident.Count == 0 ? double.NaN : Math.Round(nestedKept / (double)confident.Count, 4);
        json["likely_real_nested_keep_low"] = Math.Round(nLow, 4);
        json["likely_real_nested_keep_high"] = Math.Round(nHigh, 4);
        json["likely_real_nested_purity"] = Math.Round(nestedPurity, 4);
        json["likely_real_nested_missed_objects"] = missedObjects.Count;
        return new Report(text.ToString(), fitted, json);
    }

    // A stack fitted on the given rows, or NaN scores where they hold one class only (a strict fold can be that small).
    private static Func<int, float> FitOn(IReadOnlyList<int> training, List<float[]> rows, bool[] labels)
    {
        if (!training.Any(i => labels[i]) || training.All(i => labels[i]))
        {
            return _ => float.NaN;
        }

        var stack = SurveyStack.Fit(ZtfInputs, [.. training.Select(i => rows[i])], [.. training.Select(i => labels[i])]);
        return i => stack.Score(rows[i]);
    }

    // LSSTCam has no negatives to fit on (brokers forward what Rubin already judged real: reliability >= 0.5), so its
    // rb_combined stays the generic stack; what matters there is how many of Rubin's confident reals likely_real keeps.
    private static string LsstCam(RealEvaluationSet set, ServedRealBogus served, JsonObject json, double servedThreshold)
    {
        var alerts = set.Evaluation.Where(a => a.Survey == Survey.Rubin && set.Group(a).Contains("lsstcam", StringComparison.OrdinalIgnoreCase)
            && a.IsPositive && a.SurveyScore >= 0.9).ToList();
        if (alerts.Count == 0)
        {
            return "LSSTCam: no positive alert with reliability >= 0.9 in the evaluation half\n";
        }

        var (_, _, combined) = served.Score(alerts);
        var threshold = json["likely_real_threshold"]!.GetValue<double>();
        var kept = combined.Count(c => c >= threshold);
        var kept09 = combined.Count(c => c >= 0.9);
        var keptServed = combined.Count(c => c >= servedThreshold);
        json["lsstcam_keep_served"] = Math.Round(keptServed / (double)alerts.Count, 4);
        json["lsstcam_keep_at_threshold"] = Math.Round(kept / (double)alerts.Count, 4);
        json["lsstcam_keep_at_0_9"] = Math.Round(kept09 / (double)alerts.Count, 4);
        return string.Create(Inv, $"LSSTCam, evaluation half: of {alerts.Count} positive alerts with reliability >= 0.9, rb_combined (generic stack) keeps {kept} at {threshold:F3}, {keptServed} at the served {servedThreshold:F2} and {kept09} at 0.9\n");
    }

    private static void Write(string dir, ModelCard card, SurveyStack stack, JsonObject measured, IReadOnlyList<string> paths)
    {
        var parameters = new Dictionary<string, string>(card.Parameters);
        foreach (var (k, v) in stack.ToParameters(CombinedScore.SurveyKey(Survey.Ztf)))
        {
            parameters[k] = v;
        }

        var training = card.Training.DeepClone().AsObject();
        training["survey_stack"] = new JsonObject
        {
            ["command"] = "broker " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            ["real"] = new JsonArray([.. paths.Select(p => (JsonNode)p)]),
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", Inv),
            ["ztf_leave_one_group_out"] = measured.DeepClone(),
        };
        var updated = card with { Parameters = parameters, Training = training };
        var markdown = Path.Combine(dir, ModelCardMarkdown.FileName);
        var description = File.Exists(markdown) && File.ReadAllText(markdown).Split("\n\n", StringSplitOptions.RemoveEmptyEntries) is { Length: > 1 } parts ? parts[1].Trim() : "Real/bogus CNN on the cutout triplet.";
        File.WriteAllText(Path.Combine(dir, ModelCard.FileName), updated.ToJson());
        File.WriteAllText(markdown, ModelCardMarkdown.Render(updated, description));
    }
}
