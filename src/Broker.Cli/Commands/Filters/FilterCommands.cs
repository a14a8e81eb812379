// `broker filter check FILE...`: parse, type-check and compile filter files; print each one's compiled form or
// its error with line and column (exit 1 on any error). `broker filter test FILE --alerts DIR`: which alerts of a
// folder pass, scored by the same models and code as the pipeline. `broker filter explain FILTER ALERTS [--alert ID]`
// (or --archive DIR --alert ID: as it was published): each clause with the alert's values and whether it held.
// `broker filter try FILTER --archive DIR [--night N]`: how many alerts of an archived night pass, per hour, with the
// first few. `broker filter names`: the vocabulary.
// add | remove | list: the running cluster's catalog (FilterCatalogCommands).
using System.CommandLine;
using System.Globalization;
using Broker.Archive;
using Broker.Cli.Commands.Cnn;
using Broker.Cli.Hosting;
using Broker.Filters;
using Broker.Filters.Language;

namespace Broker.Cli.Commands.Filters;

internal static class FilterCommands
{
    public static Command Create()
    {
        var filter = new Command("filter", "Check, test and list the subscription filter language (docs/filters.md); add, remove and list a running cluster's subscriptions.");
        filter.Subcommands.Add(Check());
        filter.Subcommands.Add(Test());
        filter.Subcommands.Add(Explain());
        filter.Subcommands.Add(Try());
        filter.Subcommands.Add(Names());
        foreach (var command in FilterCatalogCommands.Create())
        {
            filter.Subcommands.Add(command);
        }
        return filter;
    }

    private static Command Check()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Filter files (*.filter).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("check", "Parse, type-check and compile filter files: the compiled form, or each error with line and column.") { files };
        command.SetAction(parse =>
        {
            var failed = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                if (TryLoad(file, out var compiled))
                {
                    var d = compiled.Definition;
                    Console.Out.WriteLine($"{file.FullName}: ok");
                    Console.Out.WriteLine($"  name     {d.Name}");
                    Console.Out.WriteLine($"  payload  {d.Payload.ToString().ToLowerInvariant()}");
                    Console.Out.WriteLine($"  topic    {d.Topic ?? "<prefix>.filtered." + d.Name}");
                    Console.Out.WriteLine($"  owner    {d.Owner ?? "-"}");
                    Console.Out.WriteLine($"  compiled {compiled.Compiled.Canonical}");
                }
                else
                {
                    failed++;
                }
            }

            Console.Out.WriteLine($"filter_check=1 files={parse.GetValue(files)!.Length} errors={failed}");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Test()
    {
        var file = new Argument<FileInfo>("file") { Description = "A filter file (*.filter)." };
        var alerts = new Option<DirectoryInfo>("--alerts") { Description = "Folder of alert files, searched recursively.", Required = true }.AcceptExistingOnly();
        var schemaDir = new Option<DirectoryInfo>("--schema-dir") { Description = "Schemas for Confluent-framed (Rubin) files." }.AcceptExistingOnly();
        var rb = new Option<string>("--rb") { Description = "Boosted-trees model directory.", DefaultValueFactory = _ => "models/rb" };
        var cnn = new Option<string?>("--cnn") { Description = "CNN model directory ('none' for no CNN).", DefaultValueFactory = _ => CnnCommands.ServingModel };
        var command = new Command("test", "Which alerts of a folder pass a filter, annotated by the pipeline's own scoring.") { file, alerts, schemaDir, rb, cnn };
        command.SetAction(async (parse, cancel) =>
        {
            if (!TryLoad(parse.GetValue(file)!, out var filter))
            {
                return 1;
            }

            var (annotated, undecodable) = await FolderAnnotations.LoadAsync(
                parse.GetValue(alerts)!.FullName,
                parse.GetValue(schemaDir)?.FullName,
                RepoPaths.Resolve(parse.GetValue(rb)!),
                CnnCommands.ModelDirOrNone(parse.GetValue(cnn)),
                cancel);
            var passed = 0;
            foreach (var (path, alert, annotation) in annotated)
            {
                if (filter.Matches(alert, annotation))
                {
                    passed++;
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"pass  {alert.Survey,-5} {alert.AlertId,20} {alert.ObjectId,-14} {alert.Band} mag {alert.Mag,6:F2} rb {annotation.Rb:F3} cnn {annotation.Cnn?.ToString("F3", CultureInfo.InvariantCulture) ?? "-"}  {Path.GetFileName(path)}"));
                }
            }

            Console.Out.WriteLine($"filter_test=1 filter={filter.Name} alerts={annotated.Count} passed={passed} undecodable_files={undecodable}");
            return 0;
        });
        return command;
    }

    private static Command Explain()
    {
        var filterArg = new Argument<string>("filter") { Description = "A filter file (*.filter) or a filter expression in quotes." };
        var paths = new Argument<string[]>("alerts") { Description = "Alert files, folders or datasets (anything `broker inspect` reads); scored as the pipeline does.", Arity = ArgumentArity.ZeroOrMore };
        var archive = new Option<string?>("--archive") { Description = "A night archive (archive.directory): the alert (--alert) as it was published, with the annotation the live routing saw." };
        var id = new Option<long?>("--alert") { Description = "Only the alert with this id (ZTF candid, Rubin diaSourceId)." };
        var schemaDir = new Option<DirectoryInfo>("--schema-dir") { Description = "Schemas for Confluent-framed (Rubin) files." }.AcceptExistingOnly();
        var rb = new Option<string>("--rb") { Description = "Boosted-trees model directory.", DefaultValueFactory = _ => "models/rb" };
        var cnn = new Option<string?>("--cnn") { Description = "CNN model directory ('none' for no CNN).", DefaultValueFactory = _ => CnnCommands.ServingModel };
        var command = new Command("explain", "Why an alert passes a filter or not: each clause with the alert's values and whether it held.") { filterArg, paths, archive, id, schemaDir, rb, cnn };
        command.SetAction(async (parse, cancel) =>
        {
            if (!TryText(parse.GetValue(filterArg)!, out var text))
            {
                return 1;
            }

            var explained = 0;
            if (parse.GetValue(archive) is { } root)
            {
                if (parse.GetValue(id) is not { } wanted || parse.GetValue(paths)!.Length > 0)
                {
                    Console.Error.WriteLine("error: --archive explains one archived alert: give --alert ID and no alert files.");
                    return 2;
                }

                if (!Directory.Exists(root))
                {
                    Console.Error.WriteLine($"error: {root}: no such archive folder.");
                    return 2;
                }

                var decoder = new Broker.Alerts.Decoding.AlertDecoder(decodeCutouts: false);
                foreach (var archived in ArchiveLookup.Find(root, wanted))
                {
                    explained++;
                    var annotation = archived.Recorded.Annotation;
                    Print(text, decoder.Decode(archived.Message)[0], annotation,
                        $"  archived in {archived.Part} (record {archived.Record}), published with filters [{string.Join(", ", annotation.Filters)}]{(annotation.Redelivered ? " (a re-delivery: sent to no filtered topic)" : string.Empty)}");
                }

                if (explained == 0)
                {
                    Console.Error.WriteLine($"error: alert {wanted} is not in the archive at {root}.");
                    return 1;
                }
            }
            else if (parse.GetValue(paths)!.Length == 0)
            {
                Console.Error.WriteLine("error: give alert files, or --archive DIR --alert ID.");
                return 2;
            }

            foreach (var path in parse.GetValue(paths)!)
            {
                var (annotated, _) = await FolderAnnotations.LoadAsync(path, parse.GetValue(schemaDir)?.FullName,
                    RepoPaths.Resolve(parse.GetValue(rb)!), CnnCommands.ModelDirOrNone(parse.GetValue(cnn)), cancel);
                foreach (var (_, alert, annotation) in annotated.Where(a => parse.GetValue(id) is not { } only || a.Alert.AlertId == only))
                {
                    explained++;
                    Print(text, alert, annotation, null);
                }
            }

            Console.Out.WriteLine($"filter_explain=1 alerts={explained}");
            return explained > 0 ? 0 : 1;
        });
        return command;
    }

    private static void Print(string text, Broker.Alerts.Model.Alert alert, Broker.Engine.Annotation.AlertAnnotation annotation, string? where)
    {
        var (held, clauses) = FilterExplainer.Explain(text, alert, annotation);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{alert.Survey} alert {alert.AlertId} object {alert.ObjectId} band {alert.Band} mag {alert.Mag:F2}: {(held ? "PASSES" : "does not pass")}"));
        if (where is not null)
        {
            Console.Out.WriteLine(where);
        }

        foreach (var clause in clauses)
        {
            var values = string.Join(", ", clause.Values.Select(v => $"{v.Name} = {v.Value}"));
            Console.Out.WriteLine($"  {new string(' ', 2 * clause.Depth)}{(clause.Held ? "yes" : "no ")}  {clause.Text}{(values.Length > 0 ? "    [" + values + "]" : string.Empty)}");
        }
    }

    private static Command Try()
    {
        var filterArg = new Argument<string>("filter") { Description = "A filter file (*.filter) or a filter expression in quotes." };
        var archive = new Option<string>("--archive") { Description = "An archive root (archive.directory).", Required = true };
        var night = new Option<string?>("--night") { Description = "The archived night, yyyy-MM-dd (default: the latest archived)." };
        var survey = new Option<string?>("--survey") { Description = "ztf or rubin (default: each survey archived that night)." };
        var show = new Option<int>("--show") { Description = "How many passing alerts to list.", DefaultValueFactory = _ => 5 };
        var command = new Command("try", "How many alerts of an archived night a filter passes, per hour, with the first few: judged on the scores the night was published with.") { filterArg, archive, night, survey, show };
        command.SetAction(parse =>
        {
            if (!TryText(parse.GetValue(filterArg)!, out var text))
            {
                return 1;
            }

            var root = parse.GetValue(archive)!;
            if (!Directory.Exists(root))
            {
                Console.Error.WriteLine($"error: {root}: no such archive folder.");
                return 2;
            }

            try
            {
                var inv = CultureInfo.InvariantCulture;
                int alerts = 0, passed = 0;
                var nights = FilterTrial.Nights(root, parse.GetValue(survey), parse.GetValue(night));
                foreach (var (s, n) in nights)
                {
                    var result = FilterTrial.Run(root, s, n, text, Math.Max(0, parse.GetValue(show)));
                    alerts += result.Alerts;
                    passed += result.Passed;
                    Console.Out.WriteLine(string.Create(inv, $"{s} {n}: {result.Passed} of {result.Alerts} alerts pass ({100.0 * result.Passed / Math.Max(1, result.Alerts):F1}%){(result.Failed > 0 ? $", {result.Failed} could not be evaluated" : string.Empty)}{(result.OpenFiles > 0 ? $" ({result.OpenFiles} files still being written, read to their last whole block)" : string.Empty)}"));
                    Console.Out.WriteLine("  observed (UTC)     alerts  pass");
                    foreach (var hour in result.Hours)
                    {
                        Console.Out.WriteLine(string.Create(inv, $"  {hour.Hour:yyyy-MM-dd HH}:00  {hour.Alerts,7}  {hour.Passed,4}"));
                    }

                    foreach (var p in result.First)
                    {
                        var a = p.Annotation;
                        Console.Out.WriteLine(string.Create(inv,
                            $"  pass  {p.ObservedUtc:HH:mm:ss} alert {p.Alert.AlertId} object {p.Alert.ObjectId} band {p.Alert.Band} mag {p.Alert.Mag:F2} rb {a.Rb:F3} cnn {a.Cnn?.ToString("F3", inv) ?? "-"} combined {a.RbCombined?.ToString("F3", inv) ?? "-"} novelty {a.Novelty?.Score.ToString("F3", inv) ?? "-"}"));
                    }

                    foreach (var twin in result.Twins)
                    {
                        Console.Out.WriteLine($"  live: subscription '{twin.Name}' (the same expression) was sent {twin.SentLive} of these alerts; this trial passes {twin.AlsoPassed} of them and {result.Passed - twin.AlsoPassed} others");
                    }
                }

                Console.Out.WriteLine($"filter_try=1 nights={nights.Count} alerts={alerts} passed={passed}");
                return 0;
            }
            catch (ArchiveException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    // A filter argument: a *.filter file's expression, or the text itself; false (error printed) if it does not compile.
    private static bool TryText(string given, out string text)
    {
        if (File.Exists(given))
        {
            var ok = TryLoad(new FileInfo(given), out var loaded);
            text = ok ? loaded.Definition.Where : string.Empty;
            return ok;
        }

        try
        {
            FilterCompiler.Compile(given);
        }
        catch (FilterException e)
        {
            Console.Error.WriteLine($"error: {e.Position.Line}:{e.Position.Column}: {e.Reason}");
            text = string.Empty;
            return false;
        }

        text = given;
        return true;
    }

    private static Command Names()
    {
        var command = new Command("names", "The names and functions filters can use.");
        command.SetAction(_ =>
        {
            foreach (var name in FilterNames.All.Where(n => !n.Name.StartsWith("feature.", StringComparison.Ordinal)))
            {
                Console.Out.WriteLine($"{name.Name,-18} {FilterCompiler.Describe(name.Type),-9} {name.Description}");
            }

            Console.Out.WriteLine($"feature.<name>     number    any of the {Broker.Features.Catalog.FeatureCatalog.Count} hand-built features (docs/features.md)");
            Console.Out.WriteLine($"raw paths          raw       {string.Join(", ", FilterNames.RawRoots.Select(r => r + ".<field>"))}");
            foreach (var (signature, description) in FilterFunctions.All)
            {
                Console.Out.WriteLine($"{signature,-28} {description}");
            }

            return 0;
        });
        return command;
    }

    private static bool TryLoad(FileInfo file, out ExpressionFilter filter)
    {
        try
        {
            filter = FilterFile.Load(file.FullName);
            return true;
        }
        catch (FilterException e)
        {
            Console.Error.WriteLine($"{file.FullName}:{e.Position.Line}:{e.Position.Column}: error: {e.Reason}");
        }
        catch (Exception e) when (e is FilterDefinitionException or IOException)
        {
            Console.Error.WriteLine($"{file.FullName}: error: {e.Message}");
        }

        filter = null!;
        return false;
    }
}
