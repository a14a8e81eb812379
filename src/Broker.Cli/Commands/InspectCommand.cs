// `broker inspect FILE...`: a readable summary of each alert file (or the decode error and where it happened).
// Exit code 0 when every file decoded, 1 otherwise. --json gives one JSON object per file.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro.Framing;

namespace Broker.Cli.Commands;

internal static class InspectCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Alert files or folders (folders are searched for *.avro).", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "One JSON object per line, per file." };
        var schemaDir = new Option<DirectoryInfo?>("--schema-dir") { Description = "Schemas for Confluent-framed files (<id>.avsc, or Rubin vMAJOR_MINOR folders)." };
        var registry = new Option<Uri?>("--schema-registry") { Description = "Schema registry URL for Confluent-framed files." };
        var command = new Command("inspect", "Decode alert files and summarize them; report decode errors with their byte offset.")
        {
            files, json, schemaDir, registry,
        };
        command.SetAction(parse =>
        {
            ISchemaSource? schemas = parse.GetValue(schemaDir) is { } dir ? new LocalSchemaDirectory(dir.FullName)
                : parse.GetValue(registry) is { } url ? new SchemaRegistryClient(url)
                : null;
            var decoder = new AlertDecoder(schemas);
            var asJson = parse.GetValue(json);
            var failed = 0;
            var total = 0;
            foreach (var path in AlertFiles.Expand(parse.GetValue(files)!))
            {
                total++;
                try
                {
                    var alerts = decoder.Decode(File.ReadAllBytes(path));
                    Print(path, alerts, asJson);
                }
                catch (AlertDecodeException e)
                {
                    failed++;
                    PrintError(path, e, asJson);
                }
            }

            if (!asJson)
            {
                Console.Out.WriteLine($"{total - failed} of {total} files decoded, {failed} failed");
            }

            return failed == 0 && total > 0 ? 0 : 1;
        });
        return command;
    }

    private static void Print(string path, IReadOnlyList<Alert> alerts, bool asJson)
    {
        if (asJson)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                file = path,
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

        Console.Out.WriteLine(path);
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

    private static void PrintError(string path, AlertDecodeException e, bool asJson)
    {
        if (asJson)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new { file = path, ok = false, stage = e.Stage.ToString(), offset = e.Offset, error = e.Message }));
            return;
        }

        Console.Out.WriteLine(path);
        Console.Out.WriteLine($"  FAILED: {e.Message}");
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
