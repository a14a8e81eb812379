using System.Text;
using Broker.Filters;

namespace Broker.Pipeline.Tests;

/// <summary>Filter files added, changed, broken and removed while a pipeline runs on the embedded Kafka.</summary>
public sealed class FilterHotReloadTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Added_changed_bad_and_removed_filter_files_take_effect_without_a_restart()
    {
        using var harness = new PipelineHarness("hot");
        harness.Cluster.CreateTopic("hot.filtered.watch", PipelineHarness.Partitions);
        var folder = Directory.CreateTempSubdirectory("broker-filters-");
        var file = Path.Combine(folder.FullName, "watch.filter");
        var alerts = TestData.Generated(40, 500);
        try
        {
            using var reader = new OutputReader(harness.Cluster.BootstrapServers, "hot.annotated", "hot.filtered.watch");
            await using var pipeline = BrokerPipeline.Create(harness.Options("hot-group") with { FilterDirectory = folder.FullName }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            using var stop = new CancellationTokenSource();
            var running = PipelineHost.RunAsync(pipeline, stop.Token, _ => { });
            using var producer = harness.Producer();

            // Added: every alert passes `rb >= 0`, so the batch appears in the filter's topic.
            await File.WriteAllTextAsync(file, "payload: light\nwhere: rb >= 0\n");
            Assert.True(await Until(() => Canonical(pipeline) == "(rb >= 0)"), "the added filter was not put in force");
            harness.Produce(producer, alerts[..10], 0);
            Assert.True(reader.WaitFor(r => r.From("hot.filtered.watch").Count >= 10 && r.From("hot.annotated").Count >= 10, Limit), $"watch {reader.From("hot.filtered.watch").Count}/10");

            // Changed: nothing passes `rb > 2`; the next batch is annotated, and none of it reaches the topic.
            await File.WriteAllTextAsync(file, "payload: light\nwhere: rb > 2\n");
            Assert.True(await Until(() => Canonical(pipeline) == "(rb > 2)"), "the changed filter was not put in force");
            harness.Produce(producer, alerts[10..20], 10);
            Assert.True(reader.WaitFor(r => r.From("hot.annotated").Count >= 20, Limit));

            // A bad change: rejected with its position; the previous version stays in force.
            await File.WriteAllTextAsync(file, "payload: light\nwhere: rb >\n");
            Assert.True(await Until(() => pipeline.FilterFiles!.Status.Any(s => s.Error is not null)), "the bad file was not reported");
            var status = Assert.Single(pipeline.FilterFiles!.Status);
            Assert.Contains("2:12: expected a value", status.Error, StringComparison.Ordinal);
            Assert.True(status.Active);
            Assert.Equal("(rb > 2)", Canonical(pipeline));
            Assert.Contains("watch", pipeline.Status.FiltersInForce);
            Assert.Contains(pipeline.Status.FilterFiles, f => f.Error?.Contains("expected a value", StringComparison.Ordinal) == true);

            // Fixed again, then removed: the filter stops, the stream goes on.
            await File.WriteAllTextAsync(file, "payload: light\nwhere: rb >= 0 and band in ('g', 'r', 'i', 'u', 'z', 'y')\n");
            Assert.True(await Until(() => Canonical(pipeline)?.Contains("band", StringComparison.Ordinal) == true), "the fixed filter was not put in force");
            File.Delete(file);
            Assert.True(await Until(() => pipeline.Filters.Filters.All(f => f.Name != "watch")), "the removed filter is still in force");
            harness.Produce(producer, alerts[20..30], 20);
            Assert.True(reader.WaitFor(r => r.From("hot.annotated").Count >= 30, Limit));

            await stop.CancelAsync();
            await running;

            // Exactly the first batch went to the filter topic.
            var records = reader.From("hot.filtered.watch");
            var watched = records.Select(r => Encoding.ASCII.GetString(r.Message.Key!)).ToHashSet();
            var batchOf = alerts.SelectMany((m, i) => new Alerts.Decoding.AlertDecoder().Decode(m)
                .Select(a => (Id: a.AlertId.ToString(System.Globalization.CultureInfo.InvariantCulture), Batch: i / 10)))
                .ToDictionary(x => x.Id, x => x.Batch);
            var firstIds = batchOf.Where(x => x.Value == 0).Select(x => x.Key).ToHashSet();
            // Said in full when it fails (it failed once in a full run, unexplained): what came in from which batch.
            Assert.True(firstIds.SetEquals(watched),
                $"{records.Count} records; not of the first batch: [{string.Join(", ", watched.Except(firstIds).Select(k => $"{k} (batch {(batchOf.TryGetValue(k, out var b) ? b : -1)})"))}]; " +
                $"of the first batch, missing: [{string.Join(", ", firstIds.Except(watched))}]");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_file_whose_name_the_configuration_already_has_is_reported_as_not_in_force()
    {
        using var harness = new PipelineHarness("clash");
        var folder = Directory.CreateTempSubdirectory("broker-filters-");
        try
        {
            // The harness's configuration defines `real` (rb >= 0.5); this file defines `real` too.
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "real.filter"), "payload: light\nwhere: rb >= 0\n");
            await using var pipeline = BrokerPipeline.Create(harness.Options("clash-group", metrics: "127.0.0.1:0") with { FilterDirectory = folder.FullName },
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            using var stop = new CancellationTokenSource();
            Uri? address = null;
            var running = PipelineHost.RunAsync(pipeline, stop.Token, a => address = a);
            Assert.True(await Until(() => address is not null && pipeline.Status.FilterFiles.Count == 1), "the filter file was not scanned");

            var file = Assert.Single(pipeline.Status.FilterFiles);
            Assert.False(file.Active);
            Assert.Contains("configuration already defines filter 'real'", file.Error, StringComparison.Ordinal);
            var inForce = Assert.IsType<ExpressionFilter>(Assert.Single(pipeline.Filters.Filters, f => f.Name == "real"));
            Assert.Equal("(rb >= 0.5)", inForce.Compiled.Canonical); // the configuration's, not the file's

            // /health says the same.
            using var http = new HttpClient();
            using var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(address!, "health")));
            var entry = Assert.Single(health.RootElement.GetProperty("filter_files").EnumerateArray());
            Assert.False(entry.GetProperty("in_force").GetBoolean());
            Assert.Contains("configuration already defines", entry.GetProperty("error").GetString(), StringComparison.Ordinal);

            await stop.CancelAsync();
            await running;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string? Canonical(BrokerPipeline pipeline) =>
        pipeline.Filters.Filters.OfType<ExpressionFilter>().FirstOrDefault(f => f.Name == "watch")?.Compiled.Canonical;

    private static async Task<bool> Until(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        return condition();
    }
}
