// `broker listen TOPIC... --bootstrap B`: a follow-up team's client for the broker's filtered (or annotated) topics.
// One line per alert (survey, time, object, band, mag, the scores, novelty with what drove it, the filters matched),
// --save DIR keeps each alert (Avro, cutout PNGs, a JSON line), de-duplicated by alert id within the run, offsets
// committed after each alert is kept and on SIGINT/SIGTERM. Kafka security settings pass through to the client
// (-X key=value, --kafka-config FILE). Exit 0 done, 2 for arguments or client settings that cannot work.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Broker.Avro.Framing;
using Broker.Cli.Hosting;
using Broker.Subscribers;

namespace Broker.Cli.Commands.Subscribers;

internal static class ListenCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var topics = new Argument<string[]>("topics") { Description = "Topics to consume: <prefix>.filtered.<name> (light or full payload) or <prefix>.annotated.", Arity = ArgumentArity.OneOrMore };
        var bootstrap = new Option<string>("--bootstrap") { Description = "Kafka bootstrap servers, host:port[,host:port].", Required = true };
        var group = new Option<string?>("--group") { Description = "Your consumer group (default listen-<user>): a next run with the same group continues where this one stopped." };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the first retained alert of every partition (default: where the group stopped; a new group starts at new alerts)." };
        var since = new Option<string?>("--since") { Description = "Start at alerts published since a time: ISO 8601 (2026-12-06T20:00Z) or an age (90m, 12h, 2d)." };
        var max = new Option<long?>("--max") { Description = "Stop after this many distinct alerts." };
        var untilEnd = new Option<bool>("--until-end") { Description = "Stop once every partition is read to its end (instead of waiting for new alerts)." };
        var save = new Option<string?>("--save") { Description = "Keep each alert in this folder: <survey>/<alert id>.avro, cutout PNGs (full payload), alerts.jsonl." };
        var json = new Option<bool>("--json") { Description = "Print each alert as a JSON line instead of text." };
        var schemaDir = new Option<DirectoryInfo>("--schema-dir") { Description = "The broker's output schema folder (schemas.output_directory): needed for full Rubin payloads only." }.AcceptExistingOnly();
        var registry = new Option<string?>("--schema-registry") { Description = "A schema registry URL serving the broker's output schemas (instead of --schema-dir)." };
        var settings = new Option<string[]>("-X") { Description = "A Kafka client property, key=value (repeatable): security.protocol, sasl.mechanism, sasl.username, sasl.password, ssl.ca.location, ...", AllowMultipleArgumentsPerToken = false };
        var kafkaConfig = new Option<FileInfo>("--kafka-config") { Description = "A file of Kafka client properties, one key=value per line (# comments): keeps secrets off the command line." }.AcceptExistingOnly();
        var command = new Command("listen", "Receive the broker's filtered or annotated alerts as a subscriber: print, save, de-duplicate.")
        {
            topics, bootstrap, group, fromBeginning, since, max, untilEnd, save, json, schemaDir, registry, settings, kafkaConfig,
        };
        command.SetAction(parse =>
        {
            DateTimeOffset? start = null;
            if (parse.GetValue(since) is { } text)
            {
                if (!ListenOptions.TryParseSince(text, DateTimeOffset.UtcNow, out var at))
                {
                    return Fail($"--since {text}: neither an ISO 8601 time nor an age like 90m, 12h, 2d.");
                }

                start = at;
            }

            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                if (parse.GetValue(kafkaConfig) is { } file)
                {
                    foreach (var (k, v) in ReadProperties(File.ReadAllLines(file.FullName), file.FullName))
                    {
                        properties[k] = v;
                    }
                }

                foreach (var (k, v) in ReadProperties(parse.GetValue(settings) ?? [], "-X"))
                {
                    properties[k] = v;
                }
            }
            catch (FormatException e)
            {
                return Fail(e.Message);
            }

            if (parse.GetValue(fromBeginning) && start is not null)
            {
                return Fail("--from-beginning and --since say two different starts: give one.");
            }

            using var registryClient = parse.GetValue(registry) is { } url
                ? new SchemaRegistryClient(new Uri(url), properties.Where(kv => kv.Key.StartsWith("schema.registry.", StringComparison.Ordinal)))
                : null;
            ISchemaSource? schemas = (ISchemaSource?)registryClient ?? (parse.GetValue(schemaDir) is { } dir ? new LocalSchemaDirectory(dir.FullName) : null);
            foreach (var key in properties.Keys.Where(k => k.StartsWith("schema.registry.", StringComparison.Ordinal)).ToList())
            {
                properties.Remove(key);
            }

            var options = new ListenOptions
            {
                Topics = parse.GetValue(topics)!,
                BootstrapServers = parse.GetValue(bootstrap)!,
                GroupId = parse.GetValue(group) ?? "listen-" + Environment.UserName,
                FromBeginning = parse.GetValue(fromBeginning),
                Since = start,
                Max = parse.GetValue(max),
                UntilEnd = parse.GetValue(untilEnd),
                Settings = properties,
            };
            using var signal = new ShutdownSignal(CancellationToken.None);
            using var saved = parse.GetValue(save) is { } folder ? new SavedAlerts(folder) : null;
            var asJson = parse.GetValue(json);
            var listener = new AlertListener(options, new OutputMessageReader(schemas, decodeCutouts: saved is not null));
            Console.Error.WriteLine($"listening to {string.Join(", ", options.Topics)} at {options.BootstrapServers} as group {options.GroupId}{(saved is null ? string.Empty : "; saving to " + saved.Root)}");
            ListenSummary summary;
            try
            {
                summary = listener.Run(
                    alert =>
                    {
                        var file = saved?.Save(alert);
                        Console.Out.WriteLine(asJson ? JsonSerializer.Serialize(SavedAlerts.Summary(alert, file)) : Line(alert));
                    },
                    bad => Console.Error.WriteLine($"unreadable: {bad.Message}"),
                    signal.Token);
            }
            catch (ListenException e)
            {
                return Fail(e.Message);
            }

            Console.Out.Flush();
            Console.Error.WriteLine(string.Create(Inv,
                $"listen=done messages={summary.Messages} alerts={summary.Alerts} duplicates={summary.Duplicates} unreadable={summary.Unreadable} reached_end={(summary.ReachedEnd ? 1 : 0)} committed={(summary.Committed ? 1 : 0)}"));
            return 0;
        });
        return command;
    }

    /// <summary>One alert as a line a person scans.</summary>
    internal static string Line(ReceivedAlert alert)
    {
        var a = alert.Annotation;
        var novelty = a.Novelty is { } n
            ? string.Create(Inv, $"novelty {n.Score:F3} ({n.Subspace}: {string.Join(", ", n.TopFeatures.Take(3).Select(f => string.Create(Inv, $"{f.Key} {100 * f.Value:F0}%")))})")
            : "novelty -";
        return string.Create(Inv,
            $"{alert.Survey,-5} {alert.ObservedUtc:yyyy-MM-dd HH:mm:ss} {alert.ObjectId,-14} alert {alert.AlertId} {alert.Band} {alert.Mag:F2}±{alert.MagErr:F2}  rb {a.Rb:F3} cnn {a.Cnn?.ToString("F3", Inv) ?? "-"} combined {a.RbCombined?.ToString("F3", Inv) ?? "-"}  {novelty}  filters {(a.Filters.Count == 0 ? "-" : string.Join(",", a.Filters))}  [{alert.Topic} {alert.Partition}@{alert.Offset}]");
    }

    // key=value lines; blank lines and # comments skipped.
    internal static IEnumerable<(string Key, string Value)> ReadProperties(IEnumerable<string> lines, string where)
    {
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"{where}: '{line}' (line {number}) is not key=value.");
            }

            yield return (line[..eq].Trim(), line[(eq + 1)..].Trim());
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }
}
