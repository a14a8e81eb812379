// The HTTP API's typed documents keep the JSON the dashboard and scripts read: snake_case keys, alert ids as text.
using System.Text.Json;
using Broker.Cluster.Hosting;
using Broker.Cluster.Nights;

namespace Broker.Cluster.Tests;

public sealed class ApiDocumentsTests
{
    [Fact]
    public void A_night_document_has_the_keys_the_dashboard_reads_and_ids_beyond_53_bits_as_text()
    {
        var night = new NightSummary("ztf", "2026-03-11", 12, 1,
            new Dictionary<string, long> { ["annotated"] = 12 }, new Dictionary<string, long> { ["novel"] = 3 }, new Dictionary<string, long> { ["decode"] = 2 },
            new long[20], new long[20], new long[20],
            [new NovelAlert(2475433850015010009, "ZTF23abc", 60229.2, "g", 18.5f, 0.8f, "history", "lc_color 40 %", 0.95f, null, "nov-1")],
            [new DeadLetterExample("decode", "truncated", "alerts:0:5", 1_700_000_000_000)]);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(NightDocument.Of(night), ApiJson.Default.NightDocument));
        var root = json.RootElement;
        Assert.Equal(
            ["survey", "night", "alerts", "redelivered", "topics", "filters", "dead_letters", "rb", "cnn", "novelty", "top_novel", "recent_dead_letters"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        var novel = root.GetProperty("top_novel")[0];
        Assert.Equal("2475433850015010009", novel.GetProperty("alert_id").GetString());
        Assert.Equal(JsonValueKind.Null, novel.GetProperty("cnn").ValueKind);
        Assert.Equal("nov-1", novel.GetProperty("snapshot_id").GetString());
        Assert.Equal(1_700_000_000_000, root.GetProperty("recent_dead_letters")[0].GetProperty("time_ms").GetInt64());
        Assert.Equal(2, root.GetProperty("dead_letters").GetProperty("decode").GetInt64());
    }
}
