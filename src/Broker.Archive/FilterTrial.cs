// A filter tried on an archived night before anyone subscribes: how many of the night's alerts it passes, per hour
// of observation, with the first few, judged on the annotations the night was published with (the same scores,
// novelty and object history the live routing saw). Where the night's files record a subscription whose compiled
// form is the same expression, it also says how many alerts that subscription was sent live, so "would this have
// caught what I got" is a number. What `broker filter try` and the dashboard's "last night" button answer.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Filters.Language;

namespace Broker.Archive;

/// <summary>Alerts observed in one UTC hour of a night, and how many of them passed.</summary>
public sealed record TrialHour(DateTime Hour, int Alerts, int Passed);

/// <summary>An alert that passed: the alert (no cutouts), the annotation it was published with, when it was observed.</summary>
public sealed record TrialPass(Alert Alert, AlertAnnotation Annotation, DateTime ObservedUtc);

/// <summary>
/// A subscription the night recorded with the same compiled expression: how many alerts it was sent live (the name
/// in their published filter list) and how many of those the trial also passes.
/// </summary>
public sealed record RecordedTwin(string Name, int SentLive, int AlsoPassed);

/// <summary>One night's answer.</summary>
public sealed record FilterTrialResult(
    string Survey,
    string Night,
    int Alerts,
    int Passed,
    int Failed,
    IReadOnlyList<TrialHour> Hours,
    IReadOnlyList<TrialPass> First,
    IReadOnlyList<RecordedTwin> Twins,
    int OpenFiles);

public static class FilterTrial
{
    /// <summary>
    /// The nights a trial covers: <paramref name="night"/> (each survey that has it, or only <paramref name="survey"/>),
    /// or without a night the latest archived one.
    /// </summary>
    /// <exception cref="ArchiveException">The archive holds no such night; the message lists those it holds.</exception>
    public static IReadOnlyList<(string Survey, string Night)> Nights(string root, string? survey, string? night)
    {
        ArgumentNullException.ThrowIfNull(root);
        var all = ArchiveLayout.Nights(root);
        var held = string.Join(", ", all.Select(n => $"{n.Survey} {n.Night}").DefaultIfEmpty("none"));
        var candidates = all.Where(n => survey is null || n.Survey == survey).ToList();
        if (candidates.Count == 0)
        {
            throw new ArchiveException($"{root}: no archived {(survey is null ? string.Empty : survey + " ")}nights (nights here: {held}).");
        }

        var chosen = night ?? candidates.Max(n => n.Night)!;
        var nights = candidates.Where(n => n.Night == chosen).ToList();
        return nights.Count > 0
            ? nights
            : throw new ArchiveException($"{root}: no archived night {chosen}{(survey is null ? string.Empty : " for " + survey)} (nights here: {held}).");
    }

    /// <summary>Tries <paramref name="where"/> (the filter language) on every archived alert of one night.</summary>
    /// <exception cref="FilterException">The text does not compile.</exception>
    /// <exception cref="ArchiveException">The night or one of its files cannot be read.</exception>
    public static FilterTrialResult Run(string root, string survey, string night, string where, int keep = 5)
    {
        var compiled = FilterCompiler.Compile(where);
        var decoder = new AlertDecoder(decodeCutouts: false);
        var hours = new SortedDictionary<DateTime, (int Alerts, int Passed)>();
        var first = new List<TrialPass>();
        var twins = new Dictionary<string, (int Sent, int Also)>(StringComparer.Ordinal);
        var same = new Dictionary<string, bool>(StringComparer.Ordinal); // recorded text -> compiles to the tried form
        int alerts = 0, passed = 0, failed = 0;
        var open = 0;
        foreach (var archived in Alerts(root, survey, night, () => open++))
        {
            Alert alert;
            try
            {
                alert = decoder.Decode(archived.Message)[0];
            }
            catch (Exception e) when (e is AlertDecodeException or Broker.Avro.AvroDecodeException)
            {
                throw new ArchiveException($"{archived.Part}: record {archived.Record} does not decode as an alert ({e.Message}).", e);
            }

            var annotation = archived.Recorded.Annotation;
            alerts++;
            bool pass;
            try
            {
                pass = compiled.Evaluate(alert, annotation);
            }
#pragma warning disable CA1031 // an evaluation that throws counts as no match, as in the pipeline's routing; counted apart
            catch (Exception)
#pragma warning restore CA1031
            {
                pass = false;
                failed++;
            }

            var observed = ObservingNight.Utc(alert.Mjd);
            var hour = new DateTime(observed.Year, observed.Month, observed.Day, observed.Hour, 0, 0, DateTimeKind.Utc);
            var (h, p) = hours.GetValueOrDefault(hour);
            hours[hour] = (h + 1, p + (pass ? 1 : 0));
            if (pass)
            {
                passed++;
                if (first.Count < keep)
                {
                    first.Add(new TrialPass(alert, annotation, observed));
                }
            }

            foreach (var twin in archived.Filters?.Where(f => Same(f.Where, compiled, same)) ?? [])
            {
                var (sent, also) = twins.GetValueOrDefault(twin.Name);
                var wasSent = annotation.Filters.Contains(twin.Name);
                twins[twin.Name] = (sent + (wasSent ? 1 : 0), also + (wasSent && pass ? 1 : 0));
            }
        }

        return new FilterTrialResult(survey, night, alerts, passed, failed,
            [.. hours.Select(kv => new TrialHour(kv.Key, kv.Value.Alerts, kv.Value.Passed))],
            first,
            [.. twins.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new RecordedTwin(kv.Key, kv.Value.Sent, kv.Value.Also))],
            open);
    }

    // The night's alerts. A file without its index is still being written (a live silo's current night): it is read
    // up to its last whole block, and an unreadable tail there is the writer's next block, not damage. A closed
    // file that does not read is an error.
    private static IEnumerable<ArchivedAlert> Alerts(string root, string survey, string night, Action openFile)
    {
        var parts = ArchiveLayout.Parts(root, survey, night);
        if (parts.Count == 0)
        {
            throw new ArchiveException($"{ArchiveLayout.NightFolder(root, survey, night)}: no archived alerts.");
        }

        foreach (var part in parts)
        {
            if (File.Exists(ArchiveLayout.IndexOf(part)))
            {
                foreach (var record in ArchiveReader.ReadPart(part))
                {
                    yield return record;
                }
            }
            else
            {
                openFile();
                foreach (var record in ArchiveReader.ReadOpenPart(part))
                {
                    yield return record;
                }
            }
        }
    }

    // A recorded subscription is the same filter when its text compiles to the same canonical form.
    private static bool Same(string recorded, CompiledExpression tried, Dictionary<string, bool> known)
    {
        if (!known.TryGetValue(recorded, out var same))
        {
            try
            {
                same = FilterCompiler.Compile(recorded).Canonical == tried.Canonical;
            }
            catch (FilterException)
            {
                same = false;
            }

            known[recorded] = same;
        }

        return same;
    }
}
