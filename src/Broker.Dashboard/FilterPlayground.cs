// The filter playground: a filter text evaluated against the last alerts this silo published, before it is saved
// to the catalog. Answers which alerts match and why, with the value of every name the text uses on each alert, or
// the compiler's error with its line and column. Read-only: nothing is saved or put in force.
using System.Globalization;
using System.Text.RegularExpressions;
using Broker.Alerts.Model;
using Broker.Pipeline;
using Broker.Pipeline.Annotation;
using Broker.Pipeline.Filters;
using Broker.Pipeline.Filters.Language;

namespace Broker.Dashboard;

public static partial class FilterPlayground
{
    public static Dictionary<string, object?> Evaluate(string where, RecentAlerts recent, int limit)
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
            return new Dictionary<string, object?>
            {
                ["error"] = e.Message,
                ["line"] = e.Position.Line,
                ["column"] = e.Position.Column,
            };
        }

        var names = Names(where);
        var alerts = recent.Latest(Math.Clamp(limit, 1, recent.Capacity));
        var results = new List<Dictionary<string, object?>>();
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
            results.Add(new Dictionary<string, object?>
            {
                ["survey"] = AnnotationEncoder.SurveyName(alert.Survey),
                ["alert_id"] = alert.AlertId.ToString(CultureInfo.InvariantCulture),
                ["object_id"] = alert.ObjectId,
                ["matches"] = pass,
                ["values"] = names.ToDictionary(n => n, n => Value(n, alert, annotation)),
            });
        }

        return new Dictionary<string, object?>
        {
            ["canonical"] = filter.Compiled.Canonical,
            ["evaluated"] = alerts.Count,
            ["matched"] = matched,
            ["names"] = names,
            ["alerts"] = results,
        };
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

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_.]*")]
    private static partial Regex Identifier();
}
