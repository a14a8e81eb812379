// `broker bench filters [DIR] [--count N] [--seconds S]`: how fast compiled filters evaluate. It annotates the
// alerts of DIR with the pipeline's own scoring, builds N filters (the deploy/filters examples, then variations
// of a dozen templates with random thresholds, so that they are not all alike), and routes every alert through
// the whole set (FilterSet.Match, as a lane does) on one thread for S seconds after a warm-up.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Cli.Commands.Cnn;
using Broker.Cli.Hosting;
using Broker.Engine.Routing;
using Broker.Filters;

namespace Broker.Cli.Commands.Filters;

internal static class FilterBench
{
    private static readonly string[] Templates =
    [
        "rb >= {0}",
        "rb_combined >= {0} and positive",
        "novelty >= {0} and rb >= 0.5",
        "mag < 15 + {0} * 5 and band in ('g', 'r')",
        "(rb_combined >= {0} or (rb_combined is null and rb >= {0})) and age_days < 3 and ndet <= 5",
        "cone(148.9685, 69.6797, 600 * {0}) or cone(210.8024, 54.3488, 600 * {0})",
        "mag between 15 and 18 + {0} and not first_detection and dmdt < -{0}",
        "survey = 'ztf' and candidate.sgscore1 < {0} and candidate.distpsnr1 > 1.5",
        "abs(dmdt) > {0} and snr > 5 and max(rb, cnn) > 0.5",
        "novelty.subspace in ('shape', 'flux', 'context') and novelty >= {0}",
        "diaSource.psfFlux is not null and rb >= {0}",
        "magerr < {0} / 5 and mag - 2.5 * log10(1 + {0}) < 19",
    ];

    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("alerts") { Description = "Folder of alert files.", DefaultValueFactory = _ => new DirectoryInfo(RepoPaths.Resolve("tests/fixtures/alerts")) }.AcceptExistingOnly();
        var count = new Option<int>("--count") { Description = "Filters in the set.", DefaultValueFactory = _ => 100 };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds.", DefaultValueFactory = _ => 5 };
        var command = new Command("filters", "Evaluations per second of N compiled filters over annotated alerts, one thread.") { folder, count, seconds };
        command.SetAction(async (parse, cancel) =>
        {
            var inv = CultureInfo.InvariantCulture;
            var (annotated, _) = await FolderAnnotations.LoadAsync(parse.GetValue(folder)!.FullName, null, RepoPaths.Resolve("models/rb"), RepoPaths.Resolve(CnnCommands.ServingModel), cancel);
            var filters = Build(parse.GetValue(count));
            var set = new FilterSet(filters);

            var compile = Stopwatch.StartNew();
            foreach (var f in filters.OfType<ExpressionFilter>())
            {
                _ = f.Definition.Compile();
            }

            var compileMs = compile.Elapsed.TotalMilliseconds / filters.Count;
            Run(set, annotated, TimeSpan.FromSeconds(1));
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var (alerts, matched, elapsed) = Run(set, annotated, TimeSpan.FromSeconds(parse.GetValue(seconds)));
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            var evaluations = alerts * filters.Count;
            var nsPerEvaluation = elapsed.TotalMilliseconds * 1e6 / evaluations;
            Console.Out.WriteLine(string.Create(inv,
                $"{filters.Count} filters x {annotated.Count} alerts: {evaluations / elapsed.TotalSeconds:N0} evaluations/s ({nsPerEvaluation:F1} ns each), {alerts / elapsed.TotalSeconds:N0} alerts/s through the whole set, {(double)matched / alerts:F1} matches per alert, {(double)allocated / alerts:F0} B allocated per alert; compile {compileMs:F2} ms per filter"));
            Console.Out.WriteLine(string.Create(inv,
                $"bench=filters filters={filters.Count} alerts={annotated.Count} evaluations_per_s={evaluations / elapsed.TotalSeconds:F0} ns_per_evaluation={nsPerEvaluation:F1} alerts_per_s={alerts / elapsed.TotalSeconds:F0} compile_ms={compileMs:F2}"));
            return 0;
        });
        return command;
    }

    private static List<IAlertFilter> Build(int count)
    {
        var filters = new List<IAlertFilter>();
        var examples = RepoPaths.Resolve("deploy/filters");
        if (Directory.Exists(examples))
        {
            filters.AddRange(Directory.GetFiles(examples, "*" + FilterFile.Extension).Order(StringComparer.Ordinal).Select(FilterFile.Load).Take(count));
        }

        var random = new Random(7);
        for (var i = filters.Count; i < count; i++)
        {
            var threshold = Math.Round(random.NextDouble(), 3).ToString(CultureInfo.InvariantCulture);
            var where = string.Format(CultureInfo.InvariantCulture, Templates[i % Templates.Length], threshold);
            filters.Add(new FilterDefinition { Name = $"bench_{i}", Where = where }.Compile());
        }

        return filters;
    }

    private static (long Alerts, long Matched, TimeSpan Elapsed) Run(FilterSet set, List<AnnotatedAlert> annotated, TimeSpan limit)
    {
        long alerts = 0, matched = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            foreach (var a in annotated)
            {
                matched += set.Match(a.Alert, a.Annotation).Count;
            }

            alerts += annotated.Count;
        }

        return (alerts, matched, clock.Elapsed);
    }
}
