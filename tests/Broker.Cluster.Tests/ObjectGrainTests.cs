// Object grains on a two-silo cluster: history across alerts sent from either silo, re-deliveries recognised, and
// the state kept in grain storage across a deactivation (what an idle object or a silo's death does).
using Broker.Cluster.Objects;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ObjectGrainTests(ClusterFixture fixture)
{
    private static ObjectDetection D(double mjd, string band, float mag) => new(mjd, band, mag, 0.05f, true);

    [Fact]
    public async Task History_builds_across_alerts_from_both_silos_and_survives_deactivation()
    {
        var key = ObjectGrain.Key("ztf", "ZTF26testobj" + Guid.NewGuid().ToString("N")[..6]);
        var fromSilo0 = fixture.Silo(0).GetGrain<IObjectGrain>(key);
        var fromSilo1 = fixture.Silo(1).GetGrain<IObjectGrain>(key);
        var a = await fromSilo0.Visit(new ObjectAlertMessage(101, D(60010, "r", 19.0f), [D(60001, "r", 20.0f)]));
        Assert.Equal(2, a.Detections);
        await fromSilo0.Published(101);
        var b = await fromSilo1.Visit(new ObjectAlertMessage(102, D(60012, "g", 18.5f), [D(60010, "r", 19.0f)]));
        Assert.Equal(2, b.Alerts);
        Assert.Equal(3, b.Detections);
        Assert.False(b.Redelivered);
        await fromSilo1.Published(102);

        await fixture.Cluster.DeactivateAsync(fromSilo0);
        await fixture.Cluster.WaitForDeactivationAsync(fromSilo0);

        // Reactivated from storage: alert 101 comes again (a re-delivery after a crash) and is recognised.
        var again = await fixture.Client.GetGrain<IObjectGrain>(key).Visit(new ObjectAlertMessage(101, D(60010, "r", 19.0f), [D(60001, "r", 20.0f)]));
        Assert.True(again.Redelivered);
        Assert.Equal(2, again.Alerts);
        Assert.Equal(3, again.Detections);
        Assert.Equal([60001, 60010, 60012], (await fixture.Client.GetGrain<IObjectGrain>(key).Detections()).Select(d => d.Mjd));
    }

    [Fact]
    public async Task The_ledgers_warm_up_reads_a_grain_outside_every_survey_and_records_nothing()
    {
        var ledger = new ClusterObjectLedger(fixture.Silo(0), new TransientRetry(TimeSpan.FromSeconds(5)));
        await ledger.WarmUpAsync(CancellationToken.None);
        await ledger.WarmUpAsync(CancellationToken.None); // every silo's start does it; twice is the same

        Assert.DoesNotContain(ClusterObjectLedger.WarmUpKey.Split(':')[0], new[] { "ztf", "rubin" });
        Assert.Empty(await fixture.Client.GetGrain<IObjectGrain>(ClusterObjectLedger.WarmUpKey).Detections());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ledger.WarmUpAsync(new CancellationToken(canceled: true)).AsTask());
    }

    [Fact]
    public async Task The_ledger_retries_nothing_that_is_the_grains_own_error()
    {
        Assert.True(TransientRetry.IsTransient(new SiloUnavailableException()));
        Assert.False(TransientRetry.IsTransient(new ArgumentException("bad")));
        var calls = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => new TransientRetry(TimeSpan.FromSeconds(5)).RunAsync<int>(() =>
        {
            calls++;
            throw new ArgumentException("bad");
        }, CancellationToken.None));
        Assert.Equal(1, calls);
        var attempts = 0;
        var result = await new TransientRetry(TimeSpan.FromSeconds(5)).RunAsync(() =>
        {
            attempts++;
            return attempts < 3 ? throw new SiloUnavailableException() : Task.FromResult(42);
        }, CancellationToken.None);
        Assert.Equal(42, result);
        Assert.Equal(3, attempts);
        _ = NullLogger.Instance;
    }
}
