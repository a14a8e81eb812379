// `broker bench source PATH...`: how fast Broker.Sources turns a dataset into alert messages (and, with --decode,
// into decoded alerts with their cutouts), in items per second and per CPU-second of this process, after one
// warm-up pass. The Parquet target of docs/performance.md is measured with it.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Broker.Alerts.Decoding;
using Broker.Archive;

namespace Broker.Cli.Commands;

internal static class SourceBench
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Anything `broker inspect` reads.", Arity = ArgumentArity.OneOrMore };
        var decode = new Option<bool>("--decode") { Description = "Also decode each message into alerts (cutouts included)." };
        var passes = new Option<int>("--passes") { Description = "How many measured passes over the paths.", DefaultValueFactory = _ => 3 };
        var schema = new Option<FileInfo?>("--schema") { Description = "The writer schema of schemaless message bodies." };
        var command = new Command("source", "Read a dataset through the alert-source layer: items per second and per CPU-second.") { paths, decode, passes, schema };
        command.SetAction(parse =>
        {
            var source = AlertSources.Open(parse.GetValue(paths)!, parse.GetValue(schema)?.FullName);
            var decoder = parse.GetValue(decode) ? new AlertDecoder() : null;
            long Pass(out long problems)
            {
                long n = 0;
                problems = 0;
                foreach (var item in source.Read())
                {
                    if (item.Message is null)
                    {
                        problems++;
                        continue;
                    }

                    try
                    {
                        decoder?.Decode(item.Message);
                        n++;
                    }
                    catch (AlertDecodeException)
                    {
                        problems++;
                    }
                }

                return n;
            }

            Pass(out _);
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long items = 0, problems = 0;
            for (var i = 0; i < Math.Max(1, parse.GetValue(passes)); i++)
            {
                items += Pass(out var p);
                problems += p;
            }

            var wall = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bench=source files={source.Files.Count} items={items} problems={problems} decode={(decoder is not null ? "yes" : "no")} items_per_s={items / wall:F0} items_per_cpu_s={items / cpu:F0} cpu_s={cpu:F2}"));
            return items > 0 ? 0 : 1;
        });
        return command;
    }
}
