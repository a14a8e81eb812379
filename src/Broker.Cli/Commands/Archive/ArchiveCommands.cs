// `broker archive nights DIR` and `broker archive repair DIR`: what an operator needs around the night archive.
// nights: per survey night the files, records, bytes and files still open (no index yet), read from the files
// themselves; repair: cuts torn blocks and indexes files left open by a writer that will not come back (a silo
// removed for good), which its own restart would otherwise do. Exit 2 for a folder that is not an archive.
using System.CommandLine;
using System.Globalization;
using Broker.Archive;
using Broker.Pipeline;
using Microsoft.Extensions.Logging;

namespace Broker.Cli.Commands.Archive;

internal static class ArchiveCommands
{
    public static Command Create()
    {
        var command = new Command("archive", "Inspect and repair a night archive (archive.directory).");
        command.Subcommands.Add(Nights());
        command.Subcommands.Add(Repair());
        return command;
    }

    private static Command Nights()
    {
        var root = new Argument<DirectoryInfo>("archive") { Description = "The archive's root folder." };
        var command = new Command("nights", "List the archived survey nights: files, alerts, size, files still open.") { root };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(root)!.FullName;
            var nights = ArchiveLayout.Nights(dir);
            if (nights.Count == 0)
            {
                Console.Error.WriteLine($"error: {dir} holds no archived nights (<survey>/<yyyy-MM-dd>/*.avro).");
                return 2;
            }

            var inv = CultureInfo.InvariantCulture;
            Console.Out.WriteLine("survey  night        files  alerts        MB  open");
            long total = 0;
            foreach (var (survey, night) in nights)
            {
                var parts = ArchiveLayout.Parts(dir, survey, night);
                long alerts = 0;
                var open = 0;
                foreach (var part in parts)
                {
                    if (!File.Exists(ArchiveLayout.IndexOf(part)))
                    {
                        open++; // being written, or left by a crash: its records are counted once repaired
                        continue;
                    }

                    alerts += ArchiveReader.ReadPart(part).LongCount();
                }

                total += alerts;
                Console.Out.WriteLine(string.Create(inv, $"{survey,-7} {night}  {parts.Count,5}  {alerts,6}  {parts.Sum(p => new FileInfo(p).Length) / 1e6,8:F1}  {open,4}"));
            }

            Console.Out.WriteLine(string.Create(inv, $"archive=nights nights={nights.Count} alerts={total}"));
            return 0;
        });
        return command;
    }

    private static Command Repair()
    {
        var root = new Argument<DirectoryInfo>("archive") { Description = "The archive's root folder." };
        var writer = new Option<string?>("--writer") { Description = "Only this writer's files (default: every writer's). Never while that writer runs." };
        var command = new Command("repair", "Cut torn blocks and index the files a crashed writer left open.") { root, writer };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(root)!.FullName;
            if (ArchiveLayout.Nights(dir).Count == 0)
            {
                Console.Error.WriteLine($"error: {dir} holds no archived nights.");
                return 2;
            }

            using var logs = PipelineHost.Logging(json: false, LogLevel.Warning);
            var report = ArchiveRecovery.Recover(dir, parse.GetValue(writer), logs.CreateLogger("archive"));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"archive=repaired files={report.Files} records={report.Records} bytes_cut={report.BytesCut}"));
            return 0;
        });
        return command;
    }
}
