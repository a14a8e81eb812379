// The "Now" document keeps the keys dashboard.js reads (snake_case), and a silo that has not reported serializes
// with nulls the page shows as a dash.
using System.Text.Json;
using Broker.Cluster.Nights;

namespace Broker.Dashboard.Tests;

public sealed class NowDocumentTests
{
    [Fact]
    public void The_now_document_has_the_keys_the_page_reads()
    {
        var now = new NowDocument(
            1_700_000_000_000,
            [new NowSilo("10.0.0.1:11111@1", "active", "running", 0.4, "rb-1", "cnn-1", new Dictionary<string, string> { ["ztf"] = "nov-1" }, ["bright"], 12),
             new NowSilo("10.0.0.2:11111@1", "joining", "not reporting")],
            [new NowTopic("ztf.alerts", 301.5, 9000)],
            [],
            301.5,
            9000,
            350.2,
            new NowLatency(100, 12.5, null, null),
            [new NowStage("score", 0.85, 300)],
            [new NowLag("ztf.alerts", 3, 17, "10.0.0.1:11111@1")],
            new Dictionary<string, long> { ["decode"] = 2 },
            [new DeadLetterExample("decode", "truncated", "ztf.alerts:3:5", 1_700_000_000_001)],
            new NowModels("rb-1", null, new Dictionary<string, string> { ["ztf"] = "nov-1" }),
            ["ztf:2026-03-11"]);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(now, DashboardJson.Default.NowDocument));
        var root = json.RootElement;
        Assert.Equal(
            ["time_ms", "silos", "topics_in", "topics_out", "alerts_in_per_s", "alerts_in_total", "messages_out_per_s", "latency_hour", "stages", "lag", "dead_letters", "dead_letter_examples", "models", "nights"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(12.5, root.GetProperty("latency_hour").GetProperty("p50_ms").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("latency_hour").GetProperty("p99_ms").ValueKind);
        var silent = root.GetProperty("silos")[1];
        Assert.Equal("not reporting", silent.GetProperty("pipeline").GetString());
        Assert.Equal(JsonValueKind.Null, silent.GetProperty("partitions").ValueKind);
        Assert.Equal(12, root.GetProperty("silos")[0].GetProperty("partitions").GetInt32());
        Assert.Equal(0.4, root.GetProperty("silos")[0].GetProperty("report_age_s").GetDouble());
        Assert.Equal(1_700_000_000_001, root.GetProperty("dead_letter_examples")[0].GetProperty("time_ms").GetInt64());
        Assert.Equal(17, root.GetProperty("lag")[0].GetProperty("lag").GetInt64());
        Assert.Equal(301.5, root.GetProperty("topics_in")[0].GetProperty("per_s").GetDouble());
        Assert.Equal("nov-1", root.GetProperty("models").GetProperty("novelty").GetProperty("ztf").GetString());
    }

    [Fact]
    public void A_card_names_its_cutout_pngs_and_its_explanation_as_the_page_reads_them()
    {
        var card = new Broker.Cluster.Cards.AlertCard("ztf", 2475433850015010009, "ZTF23abc", 60229.2, 10.5, 20.25, "g", 18.5, 0.9f, 0.8f, 0.95f, 0.7f, "history",
            new Dictionary<string, float> { ["history"] = 0.7f }, [new("lc_color", 0.4f)], "nov-1", ["bright"], [1, 2, 3], null, [4]);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(CardDocument.Of(card), DashboardJson.Default.CardDocument));
        var root = json.RootElement;
        Assert.Equal("2475433850015010009", root.GetProperty("alert_id").GetString());
        Assert.Equal("/api/alerts/ztf/2475433850015010009/science.png", root.GetProperty("science_png").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("template_png").ValueKind);
        Assert.Equal("lc_color", root.GetProperty("top_features")[0].GetProperty("name").GetString());
        Assert.Equal(0.95f, root.GetProperty("rb_combined").GetSingle());
    }
}
