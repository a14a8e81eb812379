// `broker eval real [PATH...]`: the served real/bogus models (trees, CNN, their stacked score) on the evaluation half
// of the real alerts (RealEvaluationSet: split by object, never trained on), against three independent references
// taken as labels at 0.5: ZTF's rb (random forest, the Bloom/Brink lineage), ZTF's drb (braai, deep), and Rubin's
// reliability, each AUC with a 95% interval from resampling objects. --all takes every usable alert of the paths
// (data that never touched training, e.g. another night's). ZTF's rb against drb's labels is printed beside them for scale. No human labels exist here: these
// are agreement figures, not accuracies. Ends with one key=value line.
using System.CommandLine;
using System.Globalization;
using System.Text;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Cli.Hosting;
using Broker.Models.Evaluation;

namespace Broker.Cli.Commands.RealBogus;

internal static class EvalRealCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var paths = RealEvaluationSet.PathsArgument();
        var rb = new Option<string>("--rb") { Description = "The trees' model directory.", DefaultValueFactory = _ => RepoPaths.Resolve("models/rb") };
        var cnn = new Option<string>("--cnn") { Description = "The CNN's model directory (its card holds the stacked score's weights).", DefaultValueFactory = _ => RepoPaths.Resolve(Broker.Cli.Commands.Cnn.CnnCommands.ServingModel) };
        var all = new Option<bool>("--all") { Description = "Every usable alert of the paths, no split: for data that never touched training (your own nights)." };
        var command = new Command("real", "Agreement of the served models with ZTF rb, ZTF drb and Rubin reliability on real alerts kept for evaluation.") { paths, rb, cnn, all };
        command.SetAction(parse =>
        {
            var given = parse.GetValue(paths) is { Length: > 0 } p ? p : RealEvaluationSet.DefaultPaths();
            var set = RealEvaluationSet.Load(given, new AlertDecoder());
            var everything = parse.GetValue(all);
            if (everything)
            {
                set = set with { Evaluation = [.. set.Evaluation, .. set.Training], Training = [] };
            }

            if (set.Evaluation.Count == 0)
            {
                Console.Error.WriteLine($"error: no real alert with three FITS cutouts in the evaluation half of {string.Join(", ", given)}.");
                return 2;
            }

            using var served = ServedRealBogus.Load(parse.GetValue(rb)!, parse.GetValue(cnn)!);
            var alerts = set.Evaluation;
            var (rbScores, cnnScores, both) = served.Score(alerts);

            var ztf = Indexes(alerts, a => a.Survey == Survey.Ztf);
            var rubin = Indexes(alerts, a => a.Survey == Survey.Rubin);
            var drb = Reference(alerts, ztf, a => a.SourceNumber("drb"));
            var ztfRb = Reference(alerts, ztf, a => a.SourceNumber("rb"));
            var reliability = Reference(alerts, rubin, a => a.SurveyScore ?? double.NaN);

            var text = new StringBuilder();
            var objects = alerts.Select(a => (a.Survey, a.ObjectId.Length > 0 ? a.ObjectId : a.AlertId.ToString(Inv))).ToList();
            var objectIds = objects.Distinct().Select((o, i) => (o, i)).ToDictionary(x => x.o, x => x.i);
            var groups = objects.Select(o => objectIds[o]).ToArray();
            text.Append(everything ? "every usable alert (--all, no split); " : string.Empty);
            text.Append(string.Create(Inv, $"real-alert evaluation set: {alerts.Count} alerts ({ztf.Count} ZTF, {rubin.Count} Rubin) of {alerts.Select(a => (a.Survey, a.ObjectId)).Distinct().Count()} objects; "));
            text.AppendLine(string.Create(Inv, $"{set.Training.Count} alerts of other objects left for training; {set.Skipped} unusable (no FITS cutouts, undecodable)"));
            var results = new List<(string Key, double Value)>
            {
                ("n", alerts.Count), ("ztf_n", ztf.Count), ("rubin_n", rubin.Count),
            };
            void Report(string name, string key, (int[] Items, bool[] Labels) reference, (string Name, double Auc)? survey)
            {
                var aucs = new[] { ("trees", rbScores), ("cnn", cnnScores), ("combined", both) }
                    .Select(m => (m.Item1, Auc: Auc(m.Item2, reference), Interval: Interval(m.Item2, reference, groups))).ToList();
                text.Append(string.Create(Inv, $"  against {name} (n={reference.Items.Length}, {reference.Labels.Count(l => l)} positive): "));
                text.Append(string.Join(", ", aucs.Select(m => string.Create(Inv, $"{m.Item1} AUC {m.Auc:F3} [{m.Interval.Low:F3}, {m.Interval.High:F3}]"))));
                text.AppendLine(survey is { } s ? string.Create(Inv, $"; {s.Name} {s.Auc:F3}") : string.Empty);
                results.Add((key + "_n", reference.Items.Length));
                results.AddRange(aucs.Select(m => ($"{m.Item1}_auc_{key}", m.Auc)));
                if (survey is { } r)
                {
                    results.Add(($"{r.Name.Replace(' ', '_').ToLowerInvariant()}_auc_{key}", r.Auc));
                }
            }

            Report("ZTF drb >= 0.5", "drb", drb, ("ZTF rb", Auc(alerts.Select(a => (float)a.SourceNumber("rb")).ToArray(), drb)));
            Report("ZTF rb >= 0.5", "rb", ztfRb, ("ZTF drb", Auc(alerts.Select(a => (float)a.SourceNumber("drb")).ToArray(), ztfRb)));
            Report("Rubin reliability >= 0.5", "reliability", reliability, null);
            if (served.Combined.Surveys.ContainsKey(Survey.Ztf))
            {
                text.AppendLine("  note: ZTF's combined takes the packet's rb as an input (so it is no independent check against ZTF rb) and its stack was");
                text.AppendLine("  fitted on the evaluation half's drb (`broker train survey-stack`): quote that command's leave-one-group-out figure, not this one.");
            }

            Console.Out.Write(text.ToString());
            Console.Out.WriteLine("eval_real=1 " + string.Join(' ', results.Select(r => string.Create(Inv, $"{r.Key}={(double.IsNaN(r.Value) ? "nan" : r.Value.ToString(r.Key.EndsWith("_n", StringComparison.Ordinal) || r.Key == "n" ? "F0" : "F3", Inv))}"))));
            return 0;
        });
        return command;
    }

    private static List<int> Indexes(IReadOnlyList<Alert> alerts, Func<Alert, bool> which) => [.. Enumerable.Range(0, alerts.Count).Where(i => which(alerts[i]))];

    // The alerts among `indexes` that carry the reference score, and its >= 0.5 labels.
    private static (int[] Items, bool[] Labels) Reference(IReadOnlyList<Alert> alerts, List<int> indexes, Func<Alert, double> score)
    {
        var items = indexes.Where(i => !double.IsNaN(score(alerts[i]))).ToArray();
        return (items, [.. items.Select(i => score(alerts[i]) >= 0.5)]);
    }

    // 95% interval by resampling objects (their alerts are not independent).
    private static (double Low, double High) Interval(float[] scores, (int[] Items, bool[] Labels) reference, int[] groups) =>
        reference.Labels.Distinct().Count() < 2 ? (double.NaN, double.NaN)
            : BootstrapInterval.Auc(reference.Items.Select(i => scores[i]).ToArray(), reference.Labels, reference.Items.Select(i => groups[i]).ToArray());

    private static double Auc(float[] scores, (int[] Items, bool[] Labels) reference) =>
        reference.Labels.Distinct().Count() < 2 ? double.NaN : Metrics.RocAuc(reference.Items.Select(i => scores[i]).ToArray(), reference.Labels);
}
