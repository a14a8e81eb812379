// `broker listen` as a follow-up team runs it against the embedded Kafka: real ZTF alerts (Fink Parquet fixtures)
// replayed through Kafka with two subscriptions (a light and a full payload), then listened to. Each filtered topic
// gives exactly the alerts whose published annotation names that filter, saved as Avro files (cutout PNGs for the
// full payload) with a JSON line each; an alert on both topics is kept once; a second run of the same group gets
// nothing new (offsets committed); a listener stopped by SIGTERM exits 0 having committed what it printed.
using System.Text.Json;
using Broker.Avro.Container;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Subscribers;
using Confluent.Kafka;

namespace Broker.Cli.Tests;

public sealed class ListenCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_subscriber_receives_saves_and_commits_exactly_what_each_filter_matched()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1, []);
        var folder = Directory.CreateTempSubdirectory("broker-listen-");
        try
        {
            var root = AppContext.BaseDirectory;
            var config = Path.Combine(folder.FullName, "broker.json");
            File.WriteAllText(config, $$"""
                { "models": { "rb": "{{Path.Combine(root, "models", "rb")}}", "cnn": "{{Path.Combine(root, "models", "cnn")}}" },
                  "filters": [ { "name": "likely_real", "payload": "light", "where": "rb_combined >= 0.74 and positive" },
                               { "name": "bright", "payload": "full", "where": "mag < 18.5" } ] }
                """);
            var (code, output, error) = BrokerProcess.Run(Limit, "replay", Path.Combine(root, "fixtures", "ztf_parquet"), "--bootstrap", cluster.BootstrapServers, "--prefix", "sub", "--config", config);
            Assert.True(code == 0, output + error);
            var annotated = Annotated(cluster.BootstrapServers, "sub.annotated");
            Assert.Equal(26, annotated.Count); // 23 alerts, 3 of them twice (as Parquet rows and as Avro packets)
            var expected = new[] { "likely_real", "bright" }.ToDictionary(f => f, f => annotated.Where(a => a.Filters.Contains(f)).Select(a => a.AlertId).Distinct().Order().ToList());
            var sent = new[] { "likely_real", "bright" }.ToDictionary(f => f, f => annotated.Count(a => a.Filters.Contains(f)));
            Assert.True(expected["bright"].Count > 0 && expected["likely_real"].Count > 0);

            // Each filtered topic on its own: exactly its alerts, saved.
            foreach (var (filter, payload) in new[] { ("bright", "full"), ("likely_real", "light") })
            {
                var save = Path.Combine(folder.FullName, filter);
                (code, output, error) = BrokerProcess.Run(Limit, "listen", "sub.filtered." + filter, "--bootstrap", cluster.BootstrapServers,
                    "--group", "team-" + filter, "--from-beginning", "--until-end", "--json", "--save", save);
                Assert.True(code == 0, output + error);
                var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
                Assert.Equal(expected[filter], lines.Select(l => l.GetProperty("alert_id").GetInt64()).Order());
                Assert.All(lines, l => Assert.Equal(payload, l.GetProperty("payload").GetString()));
                Assert.All(lines, l => Assert.Contains(filter, l.GetProperty("filters").EnumerateArray().Select(f => f.GetString())));
                Assert.Contains($"alerts={expected[filter].Count} duplicates={sent[filter] - expected[filter].Count} unreadable=0 reached_end=1 committed=1", error, StringComparison.Ordinal);
                Assert.Equal(expected[filter].Count, File.ReadAllLines(Path.Combine(save, "alerts.jsonl")).Length);
                foreach (var id in expected[filter])
                {
                    // A standard Avro file holding the alert's record with the broker's annotation.
                    var contents = ContainerFile.Read(File.ReadAllBytes(Path.Combine(save, "ztf", $"{id}.avro")));
                    Assert.True(contents.Records.Single().AsRecord().TryGet("broker", out _));
                    Assert.Equal(payload == "full" ? 3 : 0, Directory.GetFiles(Path.Combine(save, "ztf"), $"{id}.*.png").Length);
                }

                // The same group again: everything was committed, nothing new arrives.
                (code, output, error) = BrokerProcess.Run(Limit, "listen", "sub.filtered." + filter, "--bootstrap", cluster.BootstrapServers, "--group", "team-" + filter, "--until-end");
                Assert.True(code == 0, error);
                Assert.Equal(string.Empty, output.Trim());
                Assert.Contains("alerts=0 ", error, StringComparison.Ordinal);
            }

            // The Python example of docs/subscribers.md (confluent_kafka and Apache Avro from Debian) gets the same alerts.
            var python = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3",
                [Path.Combine(root, "examples", "subscribe.py"), "--bootstrap", cluster.BootstrapServers, "--topic", "sub.filtered.likely_real",
                 "--schema", Path.Combine(root, "schemas", "broker-light-alert-v1.avsc"), "--group", "python-team", "--from-beginning", "--until-end"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using (var process = System.Diagnostics.Process.Start(python)!)
            {
                var stderrTask = process.StandardError.ReadToEndAsync();
                var stdout = await process.StandardOutput.ReadToEndAsync();
                var stderr = await stderrTask;
                Assert.True(process.WaitForExit(Limit));
                Assert.True(process.ExitCode == 0, stdout + stderr);
                var decoded = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
                Assert.Equal(expected["likely_real"], decoded.Select(l => l.GetProperty("alert_id").GetInt64()).Order());
                Assert.All(decoded, l => Assert.True(l.GetProperty("rb_combined").GetDouble() >= 0.74));
                Assert.Contains($"alerts={expected["likely_real"].Count}", stderr, StringComparison.Ordinal);
            }

            // Both topics in one run: an alert both filters matched is kept once. Stopped by SIGTERM once all arrived.
            var union = expected["bright"].Union(expected["likely_real"]).ToHashSet();
            var both = sent["bright"] + sent["likely_real"] - union.Count;
            using (var listener = BrokerProcess.Start(["listen", "sub.filtered.bright", "sub.filtered.likely_real", "--bootstrap", cluster.BootstrapServers, "--group", "team-both", "--from-beginning"]))
            {
                var printed = new List<string>();
                while (printed.Count < union.Count && listener.ReadLine(Limit) is { } line)
                {
                    printed.Add(line);
                }

                Assert.Equal(union.Count, printed.Count);
                Assert.Equal(union, printed.Select(l => long.Parse(l.Split(" alert ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet());
                Thread.Sleep(1000); // the duplicates arrive too, and are not printed
                listener.SendSignal(15);
                Assert.Equal(0, listener.WaitForExit(TimeSpan.FromSeconds(30)));
                Assert.Null(listener.ReadLine(TimeSpan.FromSeconds(5)));
                Assert.Contains($"alerts={union.Count} duplicates={both} unreadable=0 reached_end=0 committed=1", listener.StandardError, StringComparison.Ordinal);
            }

            (code, output, error) = BrokerProcess.Run(Limit, "listen", "sub.filtered.bright", "sub.filtered.likely_real", "--bootstrap", cluster.BootstrapServers, "--group", "team-both", "--until-end");
            Assert.True(code == 0 && output.Trim().Length == 0, output + error);

            // A client setting librdkafka refuses is one line and exit 2.
            (code, _, error) = BrokerProcess.Run(Limit, "listen", "sub.filtered.bright", "--bootstrap", cluster.BootstrapServers, "-X", "security.protocol=carrier_pigeon");
            Assert.Equal(2, code);
            Assert.StartsWith("error: the Kafka consumer cannot be built", error.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // Every message of the annotated topic: its alert and the filters its annotation names.
    private static List<(long AlertId, IReadOnlyList<string> Filters)> Annotated(string bootstrap, string topic)
    {
        using var consumer = KafkaClients.Consumer<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "truth-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }.ApplyLowLatency());
        using (var admin = KafkaClients.Admin(new AdminClientConfig { BootstrapServers = bootstrap }))
        {
            var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions;
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)));
        }

        var reader = new OutputMessageReader(decodeCutouts: false);
        var alerts = new List<(long, IReadOnlyList<string>)>();
        var ended = new HashSet<int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (ended.Count < consumer.Assignment.Count && clock.Elapsed < Limit)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { } result)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
                continue;
            }

            var alert = reader.Read(result.Message.Value);
            alerts.Add((alert.AlertId, alert.Annotation.Filters));
        }

        return alerts;
    }
}
