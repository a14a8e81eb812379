// `broker inspect PATH...`: what a file, folder, glob or dataset holds, in any form Broker.Sources reads (docs/
// operations.md, "Inputs"): each alert summarized (or the decode error, its stage and byte offset), then one line per
// file saying what was found there (format, survey, schema, alerts, cutouts present), then the totals. Exit code 0
// when every item decoded, 1 otherwise, 2 for a path that names nothing. --json gives one JSON object per item.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Archive;
using Broker.Avro.Framing;
using Broker.Sources;

namespace Broker.Cli.Commands;

internal static class InspectCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("paths") { Description = "Alert files, folders, globs or partitioned datasets: Avro container files, Confluent frames, schemaless message bodies (--schema), ZTF tarballs, Fink Parquet (ZTF or Rubin), archive files.", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "One JSON object per line, per item." };
        var summary = new Option<bool>("--summary") { Description = "Only the line per file and the totals, not every alert." };
        var schemaFile = new Option<FileInfo?>("--schema") { Description = "The writer schema of schemaless Avro message bodies (default: schema.json beside them)." };
        var schemaDir = new Option<DirectoryInfo?>("--schema-dir") { Description = "Schemas for Confluent-framed files (<id>.avsc, or Rubin vMAJOR_MINOR folders)." };
        var registry = new Option<Uri?>("--schema-registry") { Description = "Schema registry URL for Confluent-framed files." };
        var command = new Command("inspect", "Say what alert files, folders and datasets hold; report what cannot be read, with the reason (and byte offset).")
        {
            files, json, summary, schemaFile, schemaDir, registry,
        };
        command.SetAction(parse =>
        {
            AlertSource source;
            try
            {
                source = AlertSources.Open(parse.GetValue(files)!, parse.GetValue(schemaFile)?.FullName);
            }
            catch (SourcePathException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Hosting.CliRunner.ConfigurationError;
            }

            ISchemaSource? schemas = parse.GetValue(schemaDir) is { } dir ? new LocalSchemaDirectory(dir.FullName)
                : parse.GetValue(registry) is { } url ? new SchemaRegistryClient(url)
                : null;
            var decoder = new AlertDecoder(schemas);
            var asJson = parse.GetValue(json);
            var detail = !asJson && !parse.GetValue(summary);
            var perFile = new Dictionary<string, FileSummary>(StringComparer.Ordinal);
            var (items, failed, alertCount) = (0, 0, 0);
            foreach (var item in source.Read())
            {
                items++;
                if (!perFile.TryGetValue(item.Path, out var file))
                {
                    perFile[item.Path] = file = new FileSummary(item.Format, item.Detail);
                }

                if (item.Message is null)
                {
                    failed++;
                    file.Problems++;
                    file.FirstProblem ??= item.Problem;
                    PrintProblem(item, null, asJson, detail);
                    continue;
                }

                try
                {
                    var alerts = decoder.Decode(item.Message);
                    alertCount += alerts.Count;
                    file.Add(alerts);
                    Print(item, alerts, asJson, detail);
                }
                catch (AlertDecodeException e)
                {
                    failed++;
                    file.Problems++;
                    file.FirstProblem ??= $"{e.Stage}: {e.Message}";
                    PrintProblem(item, e, asJson, detail);
                }
            }

            if (!asJson)
            {
                foreach (var (path, file) in perFile)
                {
                    Console.Out.WriteLine(file.Describe(path));
                }

                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{perFile.Count} files, {items} items: {items - failed} decoded ({alertCount} alerts), {failed} failed"));
            }

            return failed == 0 && items > 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>What one file held: its format, surveys, schemas, alerts, cutouts, problems.</summary>
    private sealed class FileSummary(SourceFormat format, string? detail)
    {
        private readonly SortedSet<string> _surveys = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _schemas = new(StringComparer.Ordinal);
        private int _alerts;
        private int _withCutouts;

        public int Problems { get; set; }

        public string? FirstProblem { get; set; }

        public void Add(IReadOnlyList<Alert> alerts)
        {
            foreach (var a in alerts)
            {
                _alerts++;
                _surveys.Add(a.Survey.ToString());
                _schemas.Add(a.SchemaVersion);
                if (a.Science.Status != CutoutStatus.Absent && a.Template.Status != CutoutStatus.Absent && a.Difference.Status != CutoutStatus.Absent)
                {
                    _withCutouts++;
                }
            }
        }

        public string Describe(string path) => string.Create(CultureInfo.InvariantCulture,
            $"{path}: {(detail ?? format.ToString())}; {(_surveys.Count > 0 ? string.Join("+", _surveys) : "no survey")}; schema {(_schemas.Count > 0 ? string.Join(", ", _schemas) : "-")}; {_alerts} alerts, {_withCutouts} with all three cutouts{(Problems > 0 ? $"; {Problems} not read: {FirstProblem}" : string.Empty)}");
    }

    private static void Print(SourceItem item, IReadOnlyList<Alert> alerts, bool asJson, bool detail)
    {
        if (asJson)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                file = item.Path,
                name = item.Name,
                format = item.Format.ToString(),
                ok = true,
                alerts = alerts.Select(a => new
                {
                    survey = a.Survey.ToString(),
                    alertId = a.AlertId,
                    objectId = a.ObjectId,
                    schema = a.SchemaVersion,
                    mjd = a.Mjd,
                    ra = a.Ra,
                    dec = a.Dec,
                    band = a.Band,
                    mag = Finite(a.Mag),
                    magErr = Finite(a.MagErr),
                    positive = a.IsPositive,
                    surveyScore = a.SurveyScore,
                    history = a.History.Count,
                    upperLimits = a.UpperLimits.Count,
                    cutouts = new { science = a.Science.Describe(), template = a.Template.Describe(), difference = a.Difference.Describe() },
                }),
            }));
            return;
        }

        if (!detail)
        {
            return;
        }

        Console.Out.WriteLine(Where(item));
        foreach (var a in alerts)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {a.Survey} alert {a.AlertId}  object {(a.ObjectId.Length > 0 ? a.ObjectId : "(none)")}  schema {a.SchemaVersion}"));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    mjd {a.Mjd:F5}  ra {a.Ra:F6}  dec {a.Dec:F6}  band {a.Band}  mag {a.Mag:F3} ± {a.MagErr:F3}  {(a.IsPositive ? "positive" : "negative")}  survey score {(a.SurveyScore is { } s ? s.ToString("F3", CultureInfo.InvariantCulture) : "-")}"));
            Console.Out.WriteLine($"    history: {a.History.Count} detections, {a.UpperLimits.Count} upper limits");
            Console.Out.WriteLine($"    cutouts: science {a.Science.Describe()}; template {a.Template.Describe()}; difference {a.Difference.Describe()}");
        }
    }

    private static void PrintProblem(SourceItem item, AlertDecodeException? e, bool asJson, bool detail)
    {
        if (asJson)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                file = item.Path,
                name = item.Name,
                format = item.Format.ToString(),
                ok = false,
                stage = e?.Stage.ToString() ?? "Source",
                offset = e?.Offset,
                error = e?.Message ?? item.Problem,
            }));
            return;
        }

        if (detail)
        {
            Console.Out.WriteLine(Where(item));
            Console.Out.WriteLine($"  FAILED: {e?.Message ?? item.Problem}");
        }
    }

    private static string Where(SourceItem item) =>
        item.Name == Path.GetFileName(item.Path) ? item.Path : $"{item.Path} ({item.Name})";

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
