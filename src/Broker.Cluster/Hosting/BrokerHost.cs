// One broker process: the generic host (ASP.NET Core for /metrics, /health and, in a silo, the filter and night APIs,
// the Orleans Dashboard and the operator dashboard) with the broker's parts registered by AddBroker, as one silo of
// the cluster or as the pipeline alone. What `broker run` (with or without --no-cluster), `broker demo`, `bench e2e`
// and `replay --through-kafka` start.
//
// A silo owns the shared state (grains: novelty model per survey, objects, filter catalog); the pipeline in it is one
// member of the Kafka consumer group, so the partitions a silo reads are assigned by Kafka's group coordinator and
// move to the surviving silos when one dies (docs/cluster.md says why not an Orleans-placed partition grain). Alert
// bytes never leave the process that read them: decode and scoring happen here; grain calls carry small records.
using Broker.Archive;
using Broker.Cluster.Catalog;
using Broker.Cluster.Nights;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Broker.Pipeline.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;
using Orleans.Runtime;

namespace Broker.Cluster.Hosting;

public sealed class BrokerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BrokerParts _parts;
    private readonly ILogger _log;

    private BrokerHost(WebApplication app, BrokerParts parts, Uri? address, ILogger log)
    {
        _app = app;
        _parts = parts;
        _log = log;
        Address = address;
    }

    /// <summary>Alerts kept for the dashboard's filter playground.</summary>
    public const int RecentCapacity = BrokerServices.RecentCapacity;

    public BrokerPipeline Pipeline => _parts.Pipeline;

    /// <summary>The night archive this process writes (null when archive.directory is not set).</summary>
    public NightArchive? Archive => _parts.Archive;

    public bool IsSilo => _parts.Silo is not null;

    /// <summary>The HTTP address (/metrics, /health, /api/filters, /orleans), or null when metrics.listen is null.</summary>
    public Uri? Address { get; }

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <summary>This silo's address in the cluster (null for the pipeline alone).</summary>
    public string? SiloAddress => _parts.Silo?.Address;

    /// <summary>
    /// Builds and starts the host for <paramref name="mode"/>: the silo (and its syncers) or nothing more than the
    /// pipeline, and the HTTP endpoints; the pipeline is ready but consumes only in <see cref="RunAsync"/>.
    /// </summary>
    /// <param name="endpoints">Maps more endpoints on a silo's HTTP host (the dashboard) before it starts.</param>
    public static async Task<BrokerHost> StartAsync(BrokerOptions options, ILoggerFactory logs, BrokerMode mode = BrokerMode.Silo, IPipelineObserver? observer = null, Action<WebApplication, SiloEndpointContext>? endpoints = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logs);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logs); // Orleans and ASP.NET Core log through the broker's factory: one format, one level
        BrokerParts? parts = null;
        if (options.Metrics.Listen is { } listen)
        {
            MetricsServer.Listen(builder, listen);
            MetricsServer.AddMetrics(builder.Services, options.Kafka.GroupId, i => parts?.Pipeline.Metrics.Owns(i) ?? false);
        }
        else
        {
            // No endpoints wanted, but the host starts a server all the same: a free loopback port, never Kestrel's
            // default localhost:5000 (two silos without metrics on one machine collided there).
            MetricsServer.Listen(builder, "127.0.0.1:0");
        }

        AddBroker(builder, options, mode, observer);
        var app = builder.Build();
        parts = app.Services.GetRequiredService<BrokerParts>();
        var log = logs.CreateLogger("broker");
        var syncers = app.Services.GetServices<IHostedService>().OfType<SiloSyncers>().FirstOrDefault(); // before start: a failed start disposes the app
        try
        {
            if (options.Metrics.Listen is not null)
            {
                MapEndpoints(app, parts, endpoints);
            }

            var address = options.Metrics.Listen is { } l ? await MetricsServer.StartWebAsync(app, l).ConfigureAwait(false) : null;
            if (address is null)
            {
                await app.StartAsync().ConfigureAwait(false);
            }

            return new BrokerHost(app, parts, address, log);
        }
        catch
        {
            if (syncers is not null)
            {
                using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // nothing started: nothing to wait for
                await syncers.DisposeAllAsync(budget.Token).ConfigureAwait(false);
            }

            await parts.Pipeline.DisposeAsync().ConfigureAwait(false);
            if (parts.Archive is not null)
            {
                await parts.Archive.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// The silo (in <see cref="BrokerMode.Silo"/>) and the broker's parts on <paramref name="builder"/>: Orleans first,
    /// then <see cref="BrokerServices.AddBroker"/>, so the host stops the syncers before the silo they flush to.
    /// </summary>
    public static void AddBroker(IHostApplicationBuilder builder, BrokerOptions options, BrokerMode mode, IPipelineObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (mode == BrokerMode.Silo)
        {
            builder.UseOrleans(silo =>
            {
                SiloConfiguration.Apply(silo, options.Cluster);
                silo.Configure<Novelty.NoveltyModelOptions>(o => o.Seed = options.Processing.NoveltySeed); // it was ignored in a cluster
            });
        }

        builder.Services.AddBroker(options, mode, observer);
    }

    private static void MapEndpoints(WebApplication app, BrokerParts parts, Action<WebApplication, SiloEndpointContext>? endpoints)
    {
        var (pipeline, archive, options) = (parts.Pipeline, parts.Archive, parts.Options);
        if (parts.Silo is not { } silo)
        {
            MetricsServer.MapEndpoints(app, pipeline.Status);
            return;
        }

        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var members = app.Services.GetRequiredService<IClusterMembershipService>();
        MetricsServer.MapEndpoints(app, pipeline.Status, () => new SiloHealth(
            silo.Address,
            [.. members.CurrentSnapshot.Members.Values.Select(m => new SiloMember(m.SiloAddress.ToParsableString(), m.Status.ToString().ToLowerInvariant()))],
            pipeline.Engine.Novelty.SnapshotIds,
            silo.Catalog.Version,
            pipeline.Status.CatalogRefusals,
            archive is null ? null : new SiloArchiveHealth(archive.Root, archive.Writer, archive.Stored, archive.OpenFiles, archive.Failure, archive.Problem?.Reason),
            silo.Novelty.Dropped), SiloHealthJson.Default.SiloHealth);
        FilterApi.Map(app, grains, new WriteGuard(options.Metrics.Listen, options.Metrics.WriteToken));
        app.MapGet("/api/nights/{survey}/{night}", async (string survey, string night) =>
            Microsoft.AspNetCore.Http.Results.Json(NightDocument.Of(await grains.GetGrain<INightGrain>(survey + ":" + night).Summary().ConfigureAwait(false)), ApiJson.Default.NightDocument));
        if (options.Cluster.Dashboard)
        {
            app.MapOrleansDashboard("/orleans");
        }

        endpoints?.Invoke(app, new SiloEndpointContext(grains, pipeline, members, silo.Address, parts.Recent!, options.Metrics.Listen, options.Archive.Directory));
    }

    /// <summary>Publishes the digests of the nights this silo saw since the last ones now; returns how many.</summary>
    public Task<int> PublishDigestsAsync() => SiloOnly().Digests.PublishNowAsync(CancellationToken.None);

    /// <summary>Sends this silo's pending night counts now (they go about once a second otherwise).</summary>
    public Task FlushNightsAsync() => SiloOnly().Nights.FlushAsync();

    /// <summary>Consumes until <paramref name="stop"/> (drain, commit) or a fatal error (throws PipelineFailedException).</summary>
    public Task RunAsync(CancellationToken stop) => Pipeline.RunAsync(stop);

    public async ValueTask DisposeAsync()
    {
        // The host stops its services in reverse order: a silo's syncers flush to grains, then Orleans leaves the
        // membership table. With Redis or the other silos unreachable each step would wait out Orleans' timeouts (a
        // minute each), so the whole stop gets one budget, processing.drain_seconds, after which the silo leaves
        // ungracefully (the others notice it is gone) and what was not flushed is lost with it: per-silo night counts
        // and novelty batches, never an alert or an offset.
        var seconds = Math.Max(2, Pipeline.Options.Processing.DrainSeconds);
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        using var hardStop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 2));

        // Cancelling the token asks Orleans to stop ungracefully instead of waiting on the membership table; some of its
        // stop stages do not observe it, so the wait itself ends two seconds past the budget at the latest.
        await Bounded(new ValueTask(StopHostAsync(budget.Token)), IsSilo ? "the Orleans silo" : "the host", hardStop.Token).ConfigureAwait(false);

        // Disposing the host waits for a stop it cancelled to unwind: two seconds at most (it takes milliseconds after a
        // stop that completed).
        using (var last = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await Bounded(_app.DisposeAsync(), "the host's disposal", last.Token).ConfigureAwait(false);
        }

        await Pipeline.DisposeAsync().ConfigureAwait(false);
        if (Archive is not null)
        {
            await Archive.DisposeAsync().ConfigureAwait(false); // after the pipeline: what it drained is written, then files close
        }
    }

    private SiloParts SiloOnly() => _parts.Silo ?? throw new InvalidOperationException("The pipeline alone has no nights or digests (BrokerMode.Alone).");

    private async Task StopHostAsync(CancellationToken budget)
    {
        try
        {
            await _app.StopAsync(budget).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            StopBudget.GaveUp(_log, IsSilo ? "the Orleans silo" : "the host", Pipeline.Options.Processing.DrainSeconds);
        }
    }

    private Task Bounded(ValueTask stopping, string what, CancellationToken budget) =>
        StopBudget.WaitAsync(stopping, what, budget, _log, Pipeline.Options.Processing.DrainSeconds);
}

/// <summary>What endpoints mapped on a silo's host can use: the grains, this silo's pipeline, the membership view.</summary>
/// <param name="Recent">The last alerts this silo published (the filter playground's sample).</param>
/// <param name="Listen">The HTTP address the silo binds (writes need a token unless it is loopback).</param>
/// <param name="ArchiveRoot">The night archive's root (archive.directory), null when the archive is off.</param>
public sealed record SiloEndpointContext(IGrainFactory Grains, BrokerPipeline Pipeline, IClusterMembershipService Membership, string Silo, RecentAlerts Recent, string? Listen, string? ArchiveRoot = null);
