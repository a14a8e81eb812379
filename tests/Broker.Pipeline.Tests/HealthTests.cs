// Health that tells the truth. A pipeline whose object ledger fails (the cluster's grain storage down) holds its
// alerts instead of dead-lettering them, says degraded while it cannot work (the ledger, and a stall: nothing
// published while messages are in flight), and publishes everything once the ledger answers again. The status
// itself: reported and probed problems, a stall only while messages wait, liveness apart from readiness.
using System.Net;
using System.Text.Json;
using Broker.Alerts.Model;
using Broker.Engine.Metrics;
using Broker.Engine.Shared;
using Broker.Pipeline.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Pipeline.Tests;

public sealed class HealthTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    // An object ledger whose storage can be switched off: a visit fails while it is down.
    private sealed class SwitchableLedger : IObjectLedger
    {
        public volatile bool Down;
        private int _failures;

        public int Failures => Volatile.Read(ref _failures);

        public ValueTask<ObjectVisit> VisitAsync(Alert alert, CancellationToken cancel)
        {
            if (Down)
            {
                Interlocked.Increment(ref _failures);
                return ValueTask.FromException<ObjectVisit>(new InvalidOperationException("grain storage: Redis is unreachable"));
            }

            return ValueTask.FromResult(new ObjectVisit(null, false));
        }

        public ValueTask PublishedAsync(Alert alert, CancellationToken cancel) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_failing_object_ledger_holds_alerts_degrades_health_and_dead_letters_none()
    {
        using var harness = new PipelineHarness("ledger");
        var stream = TestData.Generated(24, 900);
        using var reader = new OutputReader(harness.Cluster.BootstrapServers, "ledger.annotated", "ledger.deadletter");
        var ledger = new SwitchableLedger { Down = true };
        var options = harness.Options("ledger-group") with { Processing = harness.Options("ledger-group").Processing with { StallSeconds = 1 } };
        await using var pipeline = BrokerPipeline.Create(options, NullLogger.Instance, services: new PipelineServices { Objects = ledger });
        using var stop = new CancellationTokenSource();
        var running = pipeline.RunAsync(stop.Token);
        using (var producer = harness.Producer())
        {
            harness.Produce(producer, stream);
        }

        // Down: the alerts are held (retried), none published or dead-lettered; health names the ledger and the stall.
        Assert.True(SpinWait.SpinUntil(() => ledger.Failures > 20 && pipeline.Status.Problems.Any(p => p.Component == "progress"), Limit),
            $"failures {ledger.Failures}, problems [{string.Join("; ", pipeline.Status.Problems)}]");
        var problems = pipeline.Status.Problems;
        Assert.Equal("degraded", pipeline.Status.Health(problems));
        Assert.Contains(problems, p => p.Component == "objects" && p.Reason.Contains("Redis is unreachable", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Component == "progress" && p.Reason.Contains("in flight", StringComparison.Ordinal));
        Assert.Equal((0L, 0L), (pipeline.Status.Published, pipeline.Status.DeadLettered));

        // Back: every alert is published once, nothing dead-lettered, health clears.
        ledger.Down = false;
        Assert.True(SpinWait.SpinUntil(() => pipeline.Status.Published == stream.Count, Limit), $"published {pipeline.Status.Published} of {stream.Count}");
        Assert.True(reader.WaitFor(r => r.From("ledger.annotated").Count >= stream.Count, Limit));
        Assert.Equal(0, pipeline.Status.DeadLettered);
        Assert.Empty(reader.From("ledger.deadletter"));
        Assert.Empty(pipeline.Status.Problems);
        Assert.Equal("running", pipeline.Status.Health(pipeline.Status.Problems));
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Health_reads_reported_and_probed_problems_and_a_stall_only_while_messages_wait()
    {
        var status = new PipelineStatus { State = PipelineState.Running, StallAfter = TimeSpan.FromMilliseconds(100) };
        long lag = 0;
        (string, DateTimeOffset)? disk = null;
        status.Lag = () => lag;
        status.AddProbe("archive", () => disk);
        await Task.Delay(200);
        Assert.Empty(status.Problems); // idle with nothing waiting is not a stall

        lag = 7;
        var stalled = Assert.Single(status.Problems);
        Assert.Equal("progress", stalled.Component);
        Assert.Contains("7 messages wait in Kafka", stalled.Reason, StringComparison.Ordinal);
        status.AddPublished();
        Assert.Empty(status.Problems); // progress again

        var full = DateTimeOffset.UtcNow.AddMinutes(-3);
        disk = ("3 MiB free on the archive's disk, below archive.min_free_mib (256)", full);
        status.Degrade("objects", "storage down");
        Assert.Equal(["archive", "objects"], status.Problems.Select(p => p.Component));
        Assert.Equal("degraded", status.Health(status.Problems));
        Assert.Equal(full, status.Problems[0].Since); // since the problem began, not since the last read
        var since = status.Problems[1].Since;
        await Task.Delay(20);
        status.Degrade("objects", "storage still down");
        Assert.Equal(since, status.Problems[1].Since);

        disk = null;
        status.Recover("objects");
        Assert.Empty(status.Problems);
        status.State = PipelineState.Draining;
        status.Degrade("objects", "storage down");
        Assert.Equal("draining", status.Health(status.Problems)); // degraded is a running pipeline's word
    }

    [Fact]
    public async Task Readiness_says_503_degraded_with_the_problems_while_liveness_stays_200()
    {
        var status = new PipelineStatus { State = PipelineState.Running };
        using var metrics = new BrokerMetrics("health-test");
        await using var server = await MetricsServer.StartAsync("127.0.0.1:0", metrics, status);
        using var http = new HttpClient { BaseAddress = server.Address };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("health", UriKind.Relative))).StatusCode);
        status.Degrade("archive", "No space left on device");
        var ready = await http.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal("No space left on device", body.GetProperty("problems")[0].GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("health/live", UriKind.Relative))).StatusCode);

        status.State = PipelineState.Failed;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("health/live", UriKind.Relative))).StatusCode);
    }
}
