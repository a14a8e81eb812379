using System.Text;
using Broker.Alerts.Decoding;
using Broker.Engine.Annotation;
using Broker.Pipeline.Kafka;
using Confluent.Kafka;

namespace Broker.Pipeline.Tests;

[Collection("kafka")]
public sealed class EndToEndTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    /// <summary>The input stream: the fixture night, generated alerts, random bytes and an empty message, shuffled.</summary>
    private static List<byte[]> SaltedStream(int generated, int seed)
    {
        var random = new Random(seed);
        var messages = TestData.AllFixtureMessages().Select(f => f.Bytes).Concat(TestData.Generated(generated)).ToList();
        for (var i = 0; i < 6; i++)
        {
            var junk = new byte[random.Next(1, 3000)];
            random.NextBytes(junk);
            messages.Add(junk);
        }

        messages.Add([]);
        return [.. messages.OrderBy(_ => random.Next())];
    }

    /// <summary>What the decoder alone says about each input: its alert ids, or null when it cannot be decoded.</summary>
    private static Dictionary<byte[], long[]?> Expected(IEnumerable<byte[]> messages)
    {
        var decoder = new AlertDecoder();
        var result = new Dictionary<byte[], long[]?>(ReferenceEqualityComparer.Instance);
        foreach (var m in messages)
        {
            try
            {
                var alerts = decoder.Decode(m);
                result[m] = alerts.Count == 0 ? null : [.. alerts.Select(a => a.AlertId)];
            }
            catch (AlertDecodeException)
            {
                result[m] = null;
            }
        }

        return result;
    }

    private static long Id(ConsumeResult<byte[]?, byte[]> r) => long.Parse(Encoding.ASCII.GetString(r.Message.Key!), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Every_input_is_annotated_or_dead_lettered_routing_is_exact_and_metrics_are_served()
    {
        using var harness = new PipelineHarness("e2e");
        var stream = SaltedStream(60, 1);
        var expected = Expected(stream);
        var goodIds = expected.Values.Where(v => v is not null).SelectMany(v => v!).ToHashSet();
        var bad = expected.Where(p => p.Value is null).Select(p => p.Key).ToList();
        Assert.True(bad.Count >= 9, $"the stream should hold the corrupt fixtures and junk, has {bad.Count} bad");

        using var reader = new OutputReader(harness.Cluster.BootstrapServers, "e2e.annotated", "e2e.deadletter", "e2e.filtered.real", "e2e.filtered.ztf", "e2e.filtered.none");
        await using var pipeline = harness.Pipeline("e2e-group", metrics: "127.0.0.1:0");
        using var stop = new CancellationTokenSource();
        Uri? metrics = null;
        var running = PipelineHost.RunAsync(pipeline, stop.Token, a => metrics = a);
        using (var producer = harness.Producer())
        {
            harness.Produce(producer, stream);
        }

        Assert.True(reader.WaitFor(r =>
            r.From("e2e.annotated").Select(Id).ToHashSet().IsSupersetOf(goodIds) && r.From("e2e.deadletter").Count >= bad.Count, Limit),
            $"annotated {reader.From("e2e.annotated").Count}/{goodIds.Count}, dead letters {reader.From("e2e.deadletter").Count}/{bad.Count}");

        // /metrics and /health while it runs.
        using (var http = new HttpClient())
        {
            var text = await http.GetStringAsync(new Uri(metrics!, "metrics"));
            var samples = PrometheusText.Parse(text); // every line parses as Prometheus text exposition
            Assert.Equal(stream.Count, samples.Value("broker_alerts_in_total", ("otel_scope_instance", "e2e-group"), ("topic", "e2e.in")));
            Assert.Equal(bad.Count, samples.Sum("broker_dead_letters_total"));
            Assert.True(samples.Value("broker_stage_latency_milliseconds_count", ("stage", "cnn")) > 0);
            samples.AssertCumulativeBuckets("broker_stage_latency_milliseconds", ("stage", "features"));
            Assert.Contains(samples.Names, n => n == "broker_consumer_lag");
            // The runtime's and the process's instruments ride along.
            Assert.True(samples.Sum("dotnet_gc_heap_total_allocated_bytes_total") > 0);
            Assert.True(samples.Sum("process_memory_usage_bytes") > 0);
            var health = await http.GetAsync(new Uri(metrics!, "health"));
            Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
            Assert.Contains("\"running\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await stop.CancelAsync();
        await running;

        // Exactly the undecodable inputs are dead letters, with their original bytes and where they came from.
        var dead = reader.From("e2e.deadletter");
        Assert.Equal(bad.Count, dead.Count);
        Assert.Equal(bad.Select(Convert.ToBase64String).Order(), dead.Select(d => Convert.ToBase64String(d.Message.Value)).Order());
        foreach (var d in dead)
        {
            Assert.StartsWith("decode.", DeadLetterHeaders.Text(d.Message.Headers, DeadLetterHeaders.Stage), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(DeadLetterHeaders.Text(d.Message.Headers, DeadLetterHeaders.Error)));
            Assert.Equal("e2e.in", DeadLetterHeaders.Text(d.Message.Headers, DeadLetterHeaders.SourceTopic));
            Assert.NotNull(DeadLetterHeaders.Text(d.Message.Headers, DeadLetterHeaders.SourceOffset));
        }

        // Every good alert is annotated (de-duplicated by id; some fixtures are one alert in several schema versions).
        var annotated = reader.From("e2e.annotated");
        Assert.Equal(goodIds.Order(), annotated.Select(Id).Distinct().Order());

        // Routing: each filter topic holds exactly the annotated alerts whose annotation passes that filter.
        var decoder = new AlertDecoder();
        var brokers = annotated.Select(r => decoder.Decode(r.Message.Value)[0]).Select(a => (a.AlertId, Broker: a.Raw[AnnotationSchema.FieldName].AsRecord())).ToList();
        Assert.All(brokers, b => Assert.Equal(b.AlertId, b.Broker["alert_id"].AsLong()));
        var real = brokers.Where(b => b.Broker["rb"].AsFloat() >= 0.5).Select(b => b.AlertId).ToHashSet();
        var ztf = brokers.Where(b => b.Broker["survey"].AsString() == "ztf").Select(b => b.AlertId).ToHashSet();
        Assert.NotEmpty(real);
        Assert.NotEqual(real.Count, goodIds.Count);
        Assert.Equal(real.Order(), reader.From("e2e.filtered.real").Select(Id).Distinct().Order());
        Assert.Equal(ztf.Order(), reader.From("e2e.filtered.ztf").Select(Id).Distinct().Order());
        Assert.Empty(reader.From("e2e.filtered.none"));
        Assert.All(brokers, b => Assert.Equal(
            (real.Contains(b.AlertId) ? new[] { "real" } : []).Concat(ztf.Contains(b.AlertId) ? ["ztf"] : []),
            b.Broker["filters"].AsArray().Items.ToArray().Select(v => v.AsString())));

        // The light payload of the "real" filter is a light_alert record, keyed like the rest.
        var light = reader.From("e2e.filtered.real")[0].Message.Value;
        Assert.Equal(Broker.Engine.Annotation.OutputFormat.LightSchemaId, Avro.Framing.ConfluentFrame.ReadSchemaId(light));
        Assert.Equal(PipelineState.Stopped, pipeline.Status.State);
        Assert.Equal(stream.Count, pipeline.Status.Published + pipeline.Status.DeadLettered);
    }

    [Fact]
    public async Task A_restarted_group_member_resumes_after_the_last_commit_with_no_gap()
    {
        using var harness = new PipelineHarness("resume");
        var stream = TestData.Generated(80, 500);
        var ids = Expected(stream).Values.SelectMany(v => v!).ToHashSet();
        using var reader = new OutputReader(harness.Cluster.BootstrapServers, "resume.annotated");
        using var producer = harness.Producer();
        harness.Produce(producer, stream.Take(40));
        var first = harness.Pipeline("resume-group");
        using (var stop = new CancellationTokenSource())
        {
            var running = first.RunAsync(stop.Token);
            Assert.True(SpinWait.SpinUntil(() => first.Status.Published >= 20, Limit));
            await stop.CancelAsync();
            await running; // drains what it read, commits
        }

        var firstCount = first.Status.Published;
        await first.DisposeAsync();
        harness.Produce(producer, stream.Skip(40), firstKey: 40);
        await using var second = harness.Pipeline("resume-group");
        using (var stop = new CancellationTokenSource())
        {
            var running = second.RunAsync(stop.Token);
            Assert.True(reader.WaitFor(r => r.From("resume.annotated").Select(Id).ToHashSet().IsSupersetOf(ids), Limit));
            await stop.CancelAsync();
            await running;
        }

        // No gap, and the second member did not start over: it read only what the first had not committed.
        Assert.Equal(ids.Order(), reader.From("resume.annotated").Select(Id).Distinct().Order());
        Assert.Equal(stream.Count, firstCount + second.Status.Published);
    }

    [Fact]
    public async Task A_stop_that_comes_while_partitions_are_being_assigned_returns_and_loses_nothing()
    {
        // The close then meets an assignment librdkafka is still handing over; a synchronous commit in the revocation
        // that follows waited forever (CI hung here). Each stop must return, and what was read is not lost.
        using var harness = new PipelineHarness("early");
        var stream = TestData.Generated(40, 700);
        var ids = Expected(stream).Values.SelectMany(v => v!).ToHashSet();
        using var reader = new OutputReader(harness.Cluster.BootstrapServers, "early.annotated");
        using var producer = harness.Producer();
        harness.Produce(producer, stream);
        // Stopped during the warm-up (the consumer is connected by then, so the subscription's assignment arrives within
        // a millisecond, just as the close begins), at a few points of it, or as soon as the run consumes.
        foreach (var delay in new[] { 100, 300, 600, 900, -1 })
        {
            await using var early = harness.Pipeline("early-group");
            using var stop = new CancellationTokenSource();
            var running = early.RunAsync(stop.Token);
            if (delay >= 0)
            {
                await Task.Delay(delay);
            }
            else
            {
                Assert.True(SpinWait.SpinUntil(() => early.Status.State == PipelineState.Running || running.IsCompleted, Limit));
            }

            await stop.CancelAsync();
            var finished = await Task.WhenAny(running, Task.Delay(Limit));
            Assert.True(finished == running, $"the stop after {delay} ms did not return within {Limit}");
            await running;
        }

        await using var last = harness.Pipeline("early-group");
        using (var stop = new CancellationTokenSource())
        {
            var running = last.RunAsync(stop.Token);
            Assert.True(reader.WaitFor(r => r.From("early.annotated").Select(Id).ToHashSet().IsSupersetOf(ids), Limit),
                $"{reader.From("early.annotated").Select(Id).Distinct().Count()} of {ids.Count} annotated");
            await stop.CancelAsync();
            await running;
        }
    }

    [Fact]
    public async Task Two_members_split_the_partitions_and_one_takes_over_when_the_other_leaves()
    {
        using var harness = new PipelineHarness("scale");
        var stream = TestData.Generated(120, 900);
        var ids = Expected(stream).Values.SelectMany(v => v!).ToHashSet();
        using var reader = new OutputReader(harness.Cluster.BootstrapServers, "scale.annotated");
        await using var a = harness.Pipeline("scale-group");
        await using var b = harness.Pipeline("scale-group");
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.RunAsync(stopA.Token);
        var runB = b.RunAsync(stopB.Token);
        Assert.True(SpinWait.SpinUntil(() => a.Status.Assigned.Count > 0 && b.Status.Assigned.Count > 0 && a.Status.Assigned.Count + b.Status.Assigned.Count == PipelineHarness.Partitions, Limit),
            $"assignments: a [{string.Join(",", a.Status.Assigned)}], b [{string.Join(",", b.Status.Assigned)}]");
        Assert.Empty(a.Status.Assigned.Intersect(b.Status.Assigned));

        using var producer = harness.Producer();
        harness.Produce(producer, stream.Take(60));
        Assert.True(SpinWait.SpinUntil(() => a.Status.Published > 0 && b.Status.Published > 0, Limit), $"published: a {a.Status.Published}, b {b.Status.Published}");
        await stopB.CancelAsync();
        await runB; // b leaves the group: a takes over its partitions
        Assert.True(SpinWait.SpinUntil(() => a.Status.Assigned.Count == PipelineHarness.Partitions, Limit), $"a holds [{string.Join(",", a.Status.Assigned)}]");
        harness.Produce(producer, stream.Skip(60), firstKey: 60);
        Assert.True(reader.WaitFor(r => r.From("scale.annotated").Select(Id).ToHashSet().IsSupersetOf(ids), Limit),
            $"{reader.From("scale.annotated").Select(Id).Distinct().Count()} of {ids.Count} annotated");
        await stopA.CancelAsync();
        await runA;
    }
}
