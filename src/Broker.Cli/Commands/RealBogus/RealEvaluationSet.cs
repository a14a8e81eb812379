// The real-alert evaluation set (issue 19): real alerts with all three FITS cutouts from alert files and Fink Parquet
// exports, each alert once, split by object (RealAlertSplit in Broker.Models: no object on both sides), with the
// origin each came from for the night-grouped evaluation.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Archive;
using Broker.Models.Evaluation;

namespace Broker.Cli.Commands.RealBogus;

internal sealed record RealEvaluationSet(IReadOnlyList<Alert> Evaluation, IReadOnlyList<Alert> Training, int Skipped)
{
    /// <summary>Where each alert came from (SourceOrigin: its folder, or its Parquet file), by survey and alert id.</summary>
    public IReadOnlyDictionary<(Survey, long), string> Origins { get; init; } = new Dictionary<(Survey, long), string>();

    /// <summary>The alert's origin and observing night, the group a night-grouped evaluation holds out together.</summary>
    public string Group(Alert alert) => Origin(alert) + " " + Night(alert);

    /// <summary>Where the alert came from: its folder, or its Parquet file ("?" when unknown).</summary>
    public string Origin(Alert alert) => Origins.TryGetValue((alert.Survey, alert.AlertId), out var origin) ? origin : "?";

    /// <summary>The alert's observing night (UTC date of the night's start at the survey's site).</summary>
    public static string Night(Alert alert) => ObservingNight.Name(ObservingNight.Of(alert.Survey, alert.Mjd));

    /// <summary>
    /// What must never be on both sides of a leave-one-group-out fold (LeaveOneGroupOut's strict form): the alert's
    /// night, its origin and its object.
    /// </summary>
    public IReadOnlyList<string> SharedKeys(Alert alert) =>
        ["night:" + Night(alert), "origin:" + Origin(alert), "object:" + RealAlertSplit.ObjectHash(alert).ToString(System.Globalization.CultureInfo.InvariantCulture)];

    public static RealEvaluationSet Load(IEnumerable<string> paths, AlertDecoder decoder)
    {
        var seen = new HashSet<(Survey, long)>();
        var origins = new Dictionary<(Survey, long), string>();
        var (evaluation, training, skipped) = (new List<Alert>(), new List<Alert>(), 0);
        foreach (var item in Messages(paths, () => skipped++))
        {
            var bytes = item.Message!;
            IReadOnlyList<Alert> alerts;
            try
            {
                alerts = decoder.Decode(bytes);
            }
            catch (AlertDecodeException)
            {
                skipped++;
                continue;
            }

            foreach (var a in alerts)
            {
                if (!RealAlertScores.Usable(a))
                {
                    skipped++;
                }
                else if (seen.Add((a.Survey, a.AlertId)))
                {
                    (RealAlertSplit.InEvaluation(a) ? evaluation : training).Add(a);
                    origins[(a.Survey, a.AlertId)] = Broker.Sources.SourceOrigin.Of(item);
                }
            }
        }

        return new RealEvaluationSet(evaluation, training, skipped) { Origins = origins };
    }

    /// <summary>The real-alert paths argument of `broker eval real` and `eval generator`.</summary>
    public static System.CommandLine.Argument<string[]> PathsArgument() => new("paths")
    {
        Description = "Real alerts: anything `broker inspect` reads (alert files, folders, Fink Parquet of ZTF and Rubin, Kafka dumps with schema.json) (default ../shared/data/alerts when present, else the test fixtures).",
        Arity = System.CommandLine.ArgumentArity.ZeroOrMore,
    };

    /// <summary>../shared/data/alerts when this checkout has it, else the repo's fixtures.</summary>
    public static string[] DefaultPaths()
    {
        var shared = Hosting.RepoPaths.Resolve("../shared/data/alerts");
        return Directory.Exists(shared) ? [shared] : [Hosting.RepoPaths.Resolve("tests/fixtures/alerts"), Hosting.RepoPaths.Resolve("tests/fixtures/fink_parquet")];
    }

    // Every alert message of the paths; what the sources could not read counts as skipped.
    private static IEnumerable<Broker.Sources.SourceItem> Messages(IEnumerable<string> paths, Action skipped)
    {
        foreach (var item in AlertSources.Open(paths).Read())
        {
            if (item.Message is null)
            {
                skipped();
                continue;
            }

            yield return item;
        }
    }
}
