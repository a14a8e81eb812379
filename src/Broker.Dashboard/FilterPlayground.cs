// The filter playground: a filter text evaluated against the last alerts this silo published, before it is saved
// to the catalog. Answers which alerts match and why, with the value of every name the text uses on each alert, or
// the compiler's error with its line and column; or tried on an archived night (FilterTrial). Read-only: nothing is
// saved or put in force.
using System.Globalization;
using System.Text.RegularExpressions;
using Broker.Alerts.Model;
using Broker.Archive;
using Broker.Engine.Annotation;
using Broker.Filters;
using Broker.Filters.Language;
using Broker.Pipeline;

namespace Broker.Dashboard;

public static partial class FilterPlayground
{
    /// <summary>The filter on this silo's recent alerts: 200 with each alert's verdict and values, 400 for a text that does not compile.</summary>
    public static (int Status, object Result) Evaluate(string where, RecentAlerts recent, int limit)
    {
        ArgumentNullException.ThrowIfNull(where);
        ArgumentNullException.ThrowIfNull(recent);
        ExpressionFilter filter;
        try
        {
            filter = new FilterDefinition { Name = "playground", Where = where }.Compile();
        }
        catch (FilterException e)
        {
            return (400, new PlaygroundProblem(e.Message, e.Position.Line, e.Position.Column));
        }

        var names = Names(where);
        var alerts = recent.Latest(Math.Clamp(limit, 1, recent.Capacity));
        var results = new List<PlaygroundAlert>();
        var matched = 0;
        foreach (var (alert, annotation) in alerts)
        {
            bool pass;
            try
            {
                pass = filter.Matches(alert, annotation);
            }
#pragma warning disable CA1031 // an evaluation that throws counts as no match, as in the pipeline
            catch (Exception)
#pragma warning restore CA1031
            {
                pass = false;
            }

            matched += pass ? 1 : 0;
            results.Add(new PlaygroundAlert(AnnotationEncoder.SurveyName(alert.Survey), alert.AlertId.ToString(CultureInfo.InvariantCulture),
                alert.ObjectId, pass, names.ToDictionary(n => n, n => Value(n, alert, annotation))));
        }

        return (200, new PlaygroundResult(filter.Compiled.Canonical, alerts.Count, matched, names, results));
    }

    // The names the text refers to, in order of first use: the language's names and raw record paths.
    private static List<string> Names(string where) =>
        [.. Identifier().Matches(where).Select(m => m.Value).Where(n => FilterNames.TryGet(n, out _) || FilterNames.IsRawPath(n)).Distinct(StringComparer.Ordinal)];

    private static string? Value(string name, Alert alert, AlertAnnotation annotation)
    {
        object? value;
        if (FilterNames.TryGet(name, out var known))
        {
            value = known.Read.DynamicInvoke(alert, annotation);
        }
        else
        {
            var raw = FilterNames.ReadRaw(alert, name.Split('.'));
            value = FilterNames.RawText(raw) ?? (object)FilterNames.RawNumber(raw);
        }

        return value switch
        {
            null => null,
            double d when double.IsNaN(d) => null,
            double d => d.ToString("G6", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// The "last night" button: the filter tried on an archived night of this silo's archive (the latest unless one
    /// is named), per hour, with the first passes. 400 for a text that does not compile, 404 without an archive or
    /// such a night.
    /// </summary>
    public static (int Status, object Result) TryNight(string where, string? archiveRoot, string? survey, string? night)
    {
        ArgumentNullException.ThrowIfNull(where);
        if (archiveRoot is null || !Directory.Exists(archiveRoot))
        {
            return (404, new PlaygroundProblem("this silo keeps no night archive (archive.directory)", null, null));
        }

        try
        {
            FilterCompiler.Compile(where);
            var nights = FilterTrial.Nights(archiveRoot, survey, night);
            return (200, nights.Select(n => FilterTrial.Run(archiveRoot, n.Survey, n.Night, where, keep: 10)).Select(r => new PlaygroundNight(
                r.Survey, r.Night, r.Alerts, r.Passed, r.Failed, r.OpenFiles,
                [.. r.Hours.Select(h => new PlaygroundHour(h.Hour.ToString("yyyy-MM-dd HH:00", CultureInfo.InvariantCulture), h.Alerts, h.Passed))],
                [.. r.First.Select(p => new PlaygroundPass(AnnotationEncoder.SurveyName(p.Alert.Survey), p.Alert.AlertId.ToString(CultureInfo.InvariantCulture),
                    p.Alert.ObjectId, p.ObservedUtc.ToString("HH:mm:ss", CultureInfo.InvariantCulture), p.Alert.Band, p.Alert.Mag, p.Annotation.Rb, p.Annotation.Cnn, p.Annotation.RbCombined))],
                [.. r.Twins.Select(t => new PlaygroundTwin(t.Name, t.SentLive, t.AlsoPassed))])).ToList());
        }
        catch (FilterException e)
        {
            return (400, new PlaygroundProblem(e.Message, e.Position.Line, e.Position.Column));
        }
        catch (ArchiveException e)
        {
            return (404, new PlaygroundProblem(e.Message, null, null));
        }
    }

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_.]*")]
    private static partial Regex Identifier();
}

/// <summary>The playground's answer on the recent alerts: the canonical text, how many were evaluated and matched, and each alert.</summary>
public sealed record PlaygroundResult(string Canonical, int Evaluated, int Matched, IReadOnlyList<string> Names, IReadOnlyList<PlaygroundAlert> Alerts);

/// <summary>One recent alert: whether it matched, and the values of the names the text uses.</summary>
public sealed record PlaygroundAlert(string Survey, string AlertId, string? ObjectId, bool Matches, IReadOnlyDictionary<string, string?> Values);

/// <summary>An error answer: what is wrong and, for a filter text, where.</summary>
public sealed record PlaygroundProblem(string Error, int? Line, int? Column);

/// <summary>One archived night's answer to the "last night" button.</summary>
public sealed record PlaygroundNight(string Survey, string Night, int Alerts, int Passed, int Failed, int OpenFiles,
    IReadOnlyList<PlaygroundHour> Hours, IReadOnlyList<PlaygroundPass> First, IReadOnlyList<PlaygroundTwin> Recorded);

/// <summary>Alerts observed in one UTC hour and how many passed.</summary>
public sealed record PlaygroundHour(string Hour, int Alerts, int Passed);

/// <summary>A passing alert.</summary>
public sealed record PlaygroundPass(string Survey, string AlertId, string? ObjectId, string Observed, string Band, double Mag, float Rb, float? Cnn, float? RbCombined);

/// <summary>A subscription the night recorded with the same expression: alerts it was sent live, and how many the trial passes.</summary>
public sealed record PlaygroundTwin(string Name, int SentLive, int AlsoPassed);
