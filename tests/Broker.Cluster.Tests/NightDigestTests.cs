// The per-night digest: a night's grain summary published to <prefix>.digest keyed by `survey:night`, with the top
// ten novel alerts best first and their explanations (the grain's list holds likely-real alerts only).
using System.Text;
using System.Text.Json;
using Broker.Cluster.Nights;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class NightDigestTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_nights_digest_lists_its_ten_most_novel_alerts_keyed_by_the_night()
    {
        using var kafka = EmbeddedKafkaCluster.Start(1, [new TopicSpec("d.digest", 1)]);
        var key = NightGrain.Key("ztf", new DateOnly(2026, 3, 11));
        var delta = new NightDelta { Alerts = 12, Filters = { ["novel"] = 3 } };
        for (var i = 0; i < 12; i++)
        {
            delta.Novel.Add(new NovelAlert(100 + i, "ZTF26digest" + i, 61110.2, "g", 18.5f, 0.55f + (i * 0.01f), "history", "lc_color 40 %", 0.95f, 0.9f, "nov-1-3-abc"));
        }

        delta.Novel.Sort((a, b) => b.Novelty.CompareTo(a.Novelty));

        // A sample for the distinct-anomaly estimate: 200 ordinary alerts and 6 far-out ones.
        var random = new Random(3);
        var width = Broker.Features.Catalog.FeatureCatalog.Count;
        for (var i = 0; i < 206; i++)
        {
            var features = Enumerable.Range(0, width).Select(_ => (float)(random.NextDouble() + (i >= 200 ? 50 : 0))).ToArray();
            delta.Points.Add(new MapPoint(1000 + i, "o" + i, "g", 0.9f, null, features));
        }

        await fixture.Silo(0).GetGrain<INightGrain>(key).Record(delta);

        var seenSince = new List<DateTimeOffset>();
        var archive = Directory.CreateTempSubdirectory("broker-digest-");
        await using (var publisher = new NightDigestPublisher(fixture.Client, since => { seenSince.Add(since); return [key]; },
            KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }), "d.digest", NullLogger.Instance, TimeSpan.FromHours(1), archive.FullName))
        {
            Assert.Equal(1, await publisher.PublishNowAsync(CancellationToken.None));
            await publisher.PublishNowAsync(CancellationToken.None);
        }

        // The second digest asks only for nights seen since the first.
        Assert.Equal(DateTimeOffset.MinValue, seenSince[0]);
        Assert.True(seenSince[1] > DateTimeOffset.UtcNow.AddMinutes(-1));

        using var consumer = KafkaClients.Consumer<byte[]?, byte[]>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = "digest-check", AutoOffsetReset = AutoOffsetReset.Earliest });
        consumer.Assign(new TopicPartitionOffset("d.digest", 0, Offset.Beginning));
        var message = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("no digest published");
        Assert.Equal(key, Encoding.UTF8.GetString(message.Message.Key!));
        using var digest = JsonDocument.Parse(message.Message.Value);
        var root = digest.RootElement;
        Assert.Equal("ztf", root.GetProperty("survey").GetString());
        Assert.Equal("2026-03-11", root.GetProperty("night").GetString());
        Assert.Equal(12, root.GetProperty("alerts").GetInt64());
        var top = root.GetProperty("top_novel").EnumerateArray().ToList();
        Assert.Equal(NightDigestPublisher.TopCount, top.Count);
        Assert.Equal("111", top[0].GetProperty("alert_id").GetString()); // the most novel first, ids as text
        Assert.Equal("lc_color 40 %", top[0].GetProperty("explanation").GetString());
        Assert.True(top.Zip(top.Skip(1)).All(p => p.First.GetProperty("novelty").GetSingle() >= p.Second.GetProperty("novelty").GetSingle()));

        // The seed paper's estimate over the night's sample (k = 206 / 50 -> 5): the two forests agree on some of the
        // far-out alerts, and the digest carries exactly what the dashboard's map computes from the same sample.
        var anomalies = root.GetProperty("distinct_anomalies");
        var expected = NightDigestPublisher.Anomalies(await fixture.Client.GetGrain<INightGrain>(key).MapSample())!.Value;
        Assert.Equal(5, anomalies.GetProperty("k").GetInt32());
        Assert.Equal(expected.Overlap, anomalies.GetProperty("overlap").GetInt32());
        Assert.True(expected.Overlap >= 1, "the two forests share none of their top five");
        Assert.Equal(Math.Round(expected.Overlap * expected.Overlap / 5.0, 1), anomalies.GetProperty("estimate").GetDouble());

        // Kept with the archive too: the night's folder holds the latest digest.
        var kept = Path.Combine(archive.FullName, "ztf", "2026-03-11", "digest.json");
        Assert.True(File.Exists(kept));
        Assert.Equal("2026-03-11", JsonDocument.Parse(File.ReadAllBytes(kept)).RootElement.GetProperty("night").GetString());
        archive.Delete(recursive: true);
    }
}
