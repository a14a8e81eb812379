// `broker replay`: a ZTF-style nightly tarball built here from fixture alerts (a gzipped tar of one-alert Avro
// files, as ztf_public_YYYYMMDD.tar.gz is) is produced into a topic of the embedded Kafka, every alert byte for byte;
// an empty source delivers nothing and says so with exit 1; an unreadable source is exit 2.
using System.Formats.Tar;
using System.IO.Compression;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Confluent.Kafka;

namespace Broker.Cli.Tests;

public sealed class ReplayCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public void A_nightly_tarball_is_produced_into_the_topic_byte_for_byte()
    {
        using var cluster = EmbeddedKafkaCluster.Start(1, [new TopicSpec("night.in", 2)]);
        var folder = Directory.CreateTempSubdirectory("broker-replay-");
        try
        {
            var alerts = Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts", "ztf"), "*.avro", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal).Take(12).ToList();
            var tarball = Path.Combine(folder.FullName, "ztf_public_20180201.tar.gz");
            using (var file = File.Create(tarball))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "ztf_public_20180201/"));
                foreach (var alert in alerts)
                {
                    tar.WriteEntry(alert, "ztf_public_20180201/" + Path.GetFileName(alert));
                }

                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "ztf_public_20180201/README.txt") { DataStream = new MemoryStream("not an alert"u8.ToArray()) });
            }

            var (code, output, error) = BrokerProcess.Run(Limit, "replay", tarball, "--bootstrap", cluster.BootstrapServers, "--topic", "night.in");
            Assert.True(code == 0, output + error);
            Assert.Contains($"replay=done messages={alerts.Count} delivered={alerts.Count} failed=0", output, StringComparison.Ordinal);

            using var consumer = KafkaClients.Consumer<byte[]?, byte[]>(new ConsumerConfig
            {
                BootstrapServers = cluster.BootstrapServers,
                GroupId = "replay-check",
                AutoOffsetReset = AutoOffsetReset.Earliest,
            }.ApplyLowLatency());
            consumer.Subscribe("night.in");
            var read = new List<byte[]>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (read.Count < alerts.Count && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } r)
                {
                    read.Add(r.Message.Value);
                }
            }

            consumer.Close();
            var expected = alerts.Select(a => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(a)))).Order(StringComparer.Ordinal);
            Assert.Equal(expected, read.Select(b => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(b))).Order(StringComparer.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_empty_source_delivers_nothing_and_says_so_and_an_unreadable_one_is_exit_2()
    {
        var folder = Directory.CreateTempSubdirectory("broker-replay-empty-");
        try
        {
            var (code, output, error) = BrokerProcess.Run(Limit, "replay", folder.FullName, "--bootstrap", "127.0.0.1:1", "--topic", "x");
            Assert.Equal(1, code);
            Assert.Contains("nothing to replay", error, StringComparison.Ordinal);
            Assert.Contains("replay=done messages=0 delivered=0", output, StringComparison.Ordinal);

            var broken = Path.Combine(folder.FullName, "ztf_public_20180202.tar.gz");
            File.WriteAllBytes(broken, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
            (code, _, error) = BrokerProcess.Run(Limit, "replay", broken, "--bootstrap", "127.0.0.1:1", "--topic", "x");
            Assert.Equal(2, code);
            Assert.Contains("not a readable tar archive", error, StringComparison.Ordinal);
            Assert.Contains("error: nothing to replay: 1 item(s) of the sources could not be read", error, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
