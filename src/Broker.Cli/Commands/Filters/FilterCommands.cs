// `broker filter check FILE...`: parse, type-check and compile filter files; print each one's compiled form or
// its error with line and column (exit 1 on any error). `broker filter test FILE --alerts DIR`: which alerts of a
// folder pass, scored by the same models and code as the pipeline. `broker filter names`: the vocabulary.
// add | remove | list: the running cluster's catalog (FilterCatalogCommands).
using System.CommandLine;
using System.Globalization;
using Broker.Cli.Commands.Cnn;
using Broker.Cli.Hosting;
using Broker.Pipeline.Filters;
using Broker.Pipeline.Filters.Language;

namespace Broker.Cli.Commands.Filters;

internal static class FilterCommands
{
    public static Command Create()
    {
        var filter = new Command("filter", "Check, test and list the subscription filter language (docs/filters.md); add, remove and list a running cluster's subscriptions.");
        filter.Subcommands.Add(Check());
        filter.Subcommands.Add(Test());
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
