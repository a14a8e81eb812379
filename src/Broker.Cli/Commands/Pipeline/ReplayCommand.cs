// `broker replay`: a recorded night again, for researchers (docs/operations.md, "Replay").
//   broker replay SOURCE...                       scored straight through into a new archive run (no Kafka)
//   broker replay --archive A --night N --survey S [--exact | --compare]
//   broker replay SOURCE... --bootstrap B --topic T   produced into a Kafka topic, as the survey sent them
// SOURCE: anything Broker.Sources reads (docs/operations.md, "Inputs"). --exact pins the
// models and novelty snapshots an archived night recorded and checks every annotation comes out the same;
// --compare scores with the current models and says what changed. --speed 10 holds alerts to the night's own
// timing, ten times faster. Exit 0 when alerts were annotated (or delivered), 1 when none were or an exact
// replay differed, 2 for a source or setting that cannot be used.
using System.CommandLine;
using System.Globalization;
using Broker.Archive;
using Broker.Archive.Replay;
using Broker.Cli.Hosting;
using Broker.Cluster.Hosting;
using Broker.Pipeline.Configuration;
using Broker.Sources;

namespace Broker.Cli.Commands.Pipeline;

internal static class ReplayCommand
{
    public static Command Create()
    {
        var sources = new Argument<string[]>("sources") { Description = "Alert files, folders, globs or partitioned datasets: Avro container files, Confluent frames, schemaless message bodies (--schema), ZTF nightly tarballs, Fink Parquet (ZTF or Rubin), archive files (docs/operations.md, \"Inputs\").", Arity = ArgumentArity.ZeroOrMore };
        var archive = new Option<string?>("--archive") { Description = "An archive root (archive.directory) to replay a night of (with --night and --survey)." };
        var night = new Option<string?>("--night") { Description = "The archived night, yyyy-MM-dd (ZTF: the Palomar night; Rubin: dayObs)." };
        var survey = new Option<string?>("--survey") { Description = "ztf or rubin: whose archived night." };
        var exact = new Option<bool>("--exact") { Description = "Pin the models and novelty snapshots the archived night recorded, and check every annotation is reproduced." };
        var compare = new Option<bool>("--compare") { Description = "Score an archived night with the current models and report what changed (filters, scores, top novel)." };
        var currentFilters = new Option<bool>("--current-filters") { Description = "Match archived alerts with the configuration's filters instead of those the archive recorded." };
        var config = new Option<FileInfo?>("--config") { Description = "A broker configuration: its models, filters (inline and filter_directory) and novelty seed. Default: the shipped models and deploy/filters." };
        var output = new Option<string?>("--out") { Description = "Where the replay's own archive run is written (default state/replays/<time>)." };
        var speed = new Option<string?>("--speed") { Description = "The night's own timing, this many times faster (10 or 10x); default as fast as possible." };
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Kafka bootstrap servers, to produce the alerts into --topic instead of scoring them here." };
        var topic = new Option<string?>("--topic") { Description = "The topic to produce the alerts into (with --bootstrap)." };
        var prefix = new Option<string?>("--prefix") { Description = "With --bootstrap: annotate through Kafka in a stream of the replay's own: input PREFIX.input, group PREFIX, outputs PREFIX.annotated, PREFIX.filtered.*, PREFIX.deadletter." };
        var schemaFile = new Option<FileInfo?>("--schema") { Description = "The writer schema of schemaless Avro message bodies (a Kafka dump); default schema.json beside them." };
        var rate = new Option<double>("--rate") { Description = "Messages per second into --topic (0: as fast as Kafka takes them).", DefaultValueFactory = _ => 0 };
        var command = new Command("replay", "Replay a recorded night: score it into a new archive run, reproduce or compare an archived night, or produce it into a Kafka topic.")
        {
            sources, archive, night, survey, exact, compare, currentFilters, config, output, speed, bootstrap, topic, prefix, rate, schemaFile,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var paths = parse.GetValue(sources) ?? [];
            (string Root, string Survey, string Night)? archived = null;
            if (parse.GetValue(archive) is { } root)
            {
                if (parse.GetValue(night) is not { } n || parse.GetValue(survey) is not { } s || s is not ("ztf" or "rubin"))
                {
                    return Fail("--archive needs --night yyyy-MM-dd and --survey ztf|rubin.");
                }

                archived = (root, s, n);
            }

            if (paths.Length == 0 && archived is null)
            {
                return Fail("nothing to replay: give SOURCE folders or files, or --archive with --night and --survey.");
            }

            var mode = parse.GetValue(exact) ? ReplayMode.Exact : parse.GetValue(compare) ? ReplayMode.Compare : ReplayMode.Score;
            if (mode != ReplayMode.Score && (archived is null || paths.Length > 0))
            {
                return Fail("--exact and --compare replay an archived night (--archive, --night, --survey) and nothing else.");
            }

            if (!TryParseSpeed(parse.GetValue(speed), out var factor))
            {
                return Fail("--speed is a positive number, e.g. 10 or 10x.");
            }

            // Read the first item before anything else starts, so an empty or unreadable source is said plainly.
            ReplaySources replaySources;
            try
            {
                replaySources = new ReplaySources(paths, archived, parse.GetValue(schemaFile)?.FullName);
            }
            catch (SourcePathException e)
            {
                return Fail(e.Message);
            }

            using var items = replaySources.Open().GetEnumerator();
            bool any;
            try
            {
                any = items.MoveNext();
            }
            catch (Exception e) when (e is ArchiveException or IOException or UnauthorizedAccessException)
            {
                return Fail(e.Message);
            }

            if (!any && replaySources.Problems > 0)
            {
                return Fail($"nothing to replay: {replaySources.Problems} item(s) of the sources could not be read (each said above).");
            }

            if (!any)
            {
                await Console.Error.WriteLineAsync("error: nothing to replay: the sources hold no alerts.");
                Console.Out.WriteLine(parse.GetValue(topic) is not null ? "replay=done messages=0 delivered=0 failed=0" : "replay=done in=0 annotated=0 dead_lettered=0");
                return 1;
            }

            var total = replaySources.Count();
            var servers = parse.GetValue(bootstrap);
            if (servers is not null && parse.GetValue(topic) is { } target)
            {
                return await ReplayToTopic.RunAsync(Messages(items), total, servers, target, parse.GetValue(rate), cancel);
            }

            if (servers is not null && parse.GetValue(prefix) is null)
            {
                return Fail("--bootstrap needs --topic (produce the alerts) or --prefix (annotate them in a stream of the replay's own).");
            }

            BrokerOptions options;
            try
            {
                options = ScoredReplayRun.Options(parse.GetValue(config)?.FullName);
            }
            catch (PipelineConfigException e)
            {
                return Fail(e.Message);
            }

            if (servers is not null)
            {
                if (mode != ReplayMode.Score)
                {
                    return Fail("--exact and --compare score here, not through Kafka: leave out --bootstrap.");
                }

                try
                {
                    return await ReplayThroughKafka.RunAsync(Rest(items), total, options, servers, parse.GetValue(prefix)!, parse.GetValue(output), cancel);
                }
                catch (PipelineConfigException e)
                {
                    return Fail(e.Message);
                }
            }

            var outDir = parse.GetValue(output) ?? Path.Combine("state", "replays", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            return await ScoredReplayRun.RunAsync(Rest(items), total, options, mode, archived, factor, parse.GetValue(currentFilters), outDir, cancel);
        });
        return command;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }

    private static bool TryParseSpeed(string? text, out double? factor)
    {
        factor = null;
        if (text is null)
        {
            return true;
        }

        var ok = double.TryParse(text.TrimEnd('x', 'X'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0;
        factor = ok ? value : null;
        return ok;
    }

    // The enumerator's items from the one already read on.
    private static IEnumerable<ReplayItem> Rest(IEnumerator<ReplayItem> items)
    {
        do
        {
            yield return items.Current;
        }
        while (items.MoveNext());
    }

    private static IEnumerator<(string Name, byte[] Bytes)> Messages(IEnumerator<ReplayItem> items)
    {
        var messages = Rest(items).Select(i => (i.Name, i.Message)).GetEnumerator();
        messages.MoveNext();
        return messages;
    }
}
