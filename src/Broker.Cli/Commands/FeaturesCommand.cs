// `broker features`: the feature catalog (as a table, or as docs/features.md), and `broker features extract`,
// which writes the feature vectors of alert files as CSV for analysis outside the broker.
using System.CommandLine;
using System.Globalization;
using System.Text;
using Broker.Alerts.Decoding;
using Broker.Features;
using Broker.Features.Catalog;

namespace Broker.Cli.Commands;

internal static class FeaturesCommand
{
    public static Command Create()
    {
        var markdown = new Option<bool>("--markdown") { Description = "Print the catalog as docs/features.md." };
        var command = new Command("features", "List the hand-built features (name, group, unit, definition).") { markdown };
        command.SetAction(parse =>
        {
            if (parse.GetValue(markdown))
            {
                Console.Out.Write(FeatureDocs.Markdown());
                return 0;
            }

            foreach (var f in FeatureCatalog.All)
            {
                Console.Out.WriteLine($"{f.Index,3} {f.Name,-24} {f.Group,-8} {f.Unit,-10} {f.Definition}");
            }

            return 0;
        });
        command.Subcommands.Add(Extract());
        return command;
    }

    private static Command Extract()
    {
        var paths = new Argument<string[]>("paths") { Description = "Alert files or folders (searched recursively for *.avro).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<FileInfo?>("--out") { Description = "CSV file to write (default: standard output)." };
        var command = new Command("extract", "Write every alert's feature vector as CSV (alert_id, object_id, survey, then one column per feature).")
        {
            paths, output,
        };
        command.SetAction(parse =>
        {
            var decoder = new AlertDecoder();
            using var writer = parse.GetValue(output) is { } file ? new StreamWriter(file.FullName, false, new UTF8Encoding(false)) : new StreamWriter(Console.OpenStandardOutput());
            writer.WriteLine("alert_id,object_id,survey," + string.Join(',', FeatureCatalog.Names));
            var vector = new float[FeatureCatalog.Count];
            int files = 0, failed = 0, alerts = 0;
            var source = Broker.Archive.AlertSources.Open(parse.GetValue(paths)!);
            foreach (var (item, decoded) in source.Alerts(decoder))
            {
                files++;
                if (item.Message is null)
                {
                    failed++;
                    Console.Error.WriteLine($"{item.Path} ({item.Name}): {item.Problem}");
                    continue;
                }

                foreach (var alert in decoded)
                {
                    AlertFeatures.Extract(alert, vector);
                    writer.Write(string.Create(CultureInfo.InvariantCulture, $"{alert.AlertId},{alert.ObjectId},{alert.Survey}"));
                    foreach (var v in vector)
                    {
                        writer.Write(',');
                        writer.Write(float.IsNaN(v) ? string.Empty : v.ToString("R", CultureInfo.InvariantCulture));
                    }

                    writer.WriteLine();
                    alerts++;
                }
            }

            Console.Error.WriteLine($"{alerts} alerts from {files} items ({failed} could not be read)");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
