// One broker silo: an Orleans silo and the streaming pipeline in one generic host, with ASP.NET Core on the same host
// for /metrics, /health, the filter and night APIs and the Orleans Dashboard. What `broker run` and `broker demo` start.
//
// The silo owns the shared state (grains: novelty model per survey, objects, filter catalog); the pipeline in it is
// one member of the Kafka consumer group, so the partitions a silo reads are assigned by Kafka's group coordinator
// and move to the surviving silos when one dies (docs/cluster.md says why not an Orleans-placed partition grain).
// Alert bytes never leave the silo that read them: decode and scoring happen here; grain calls carry small records.
using Broker.Archive;
using Broker.Cluster.Catalog;
using Broker.Cluster.Nights;
using Broker.Cluster.Novelty;
using Broker.Cluster.Objects;
using Broker.Cluster.Operations;
using Broker.Engine.Shared;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Broker.Pipeline.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime;

namespace Broker.Cluster.Hosting;

public sealed partial class SiloHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ClusterNoveltyModels _novelty;
    private readonly FilterCatalogSync _catalog;
    private readonly NightReporter _nights;
    private readonly PulseReporter _pulse;
    private readonly NightArchive? _archive;
    private readonly NightDigestPublisher _digests;
    private readonly ILogger _log;

    private SiloHost(WebApplication app, BrokerPipeline pipeline, ClusterNoveltyModels novelty, FilterCatalogSync catalog, NightReporter nights, PulseReporter pulse, NightArchive? archive, NightDigestPublisher digests, Uri? address, ILogger log)
    {
        _log = log;
        _archive = archive;
        _digests = digests;
        _app = app;
        _nights = nights;
        _pulse = pulse;
        Pipeline = pipeline;
        _novelty = novelty;
        _catalog = catalog;
        Address = address;
    }

    /// <summary>Alerts kept for the dashboard's filter playground.</summary>
    public const int RecentCapacity = 300;

    public BrokerPipeline Pipeline { get; }

    /// <summary>The HTTP address (/metrics, /health, /api/filters, /orleans), or null when metrics.listen is null.</summary>
    public Uri? Address { get; }

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <summary>This silo's address in the cluster.</summary>
    public string SiloAddress => _app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

    /// <summary>Starts the silo and the HTTP endpoints; the pipeline is ready but consumes only in <see cref="RunAsync"/>.</summary>
    /// <param name="endpoints">Maps more endpoints on the silo's HTTP host (the dashboard) before it starts.</param>
    public static async Task<SiloHost> StartAsync(PipelineOptions options, ILoggerFactory logs, IPipelineObserver? observer = null, Action<WebApplication, SiloEndpointContext>? endpoints = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logs);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logs); // Orleans and ASP.NET Core log through the broker's factory: one format, one level
        BrokerPipeline? pipeline = null;
        if (options.Metrics.Listen is { } listen)
        {
            MetricsServer.Listen(builder, listen);
            MetricsServer.AddMetrics(builder.Services, options.Kafka.GroupId, i => pipeline?.Metrics.Owns(i) ?? false);
        }
        else
        {
            // No endpoints wanted, but the host starts a server all the same: a free loopback port, never Kestrel's
            // default localhost:5000 (two silos without metrics on one machine collided there).
            MetricsServer.Listen(builder, "127.0.0.1:0");
        }

        builder.UseOrleans(silo =>
        {
            SiloConfiguration.Apply(silo, options.Cluster);
            silo.Configure<Novelty.NoveltyModelOptions>(o => o.Seed = options.Processing.NoveltySeed); // it was ignored in a cluster
        });
        var app = builder.Build();
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var log = logs.CreateLogger("broker");
        var novelty = new ClusterNoveltyModels(grains, log, TimeSpan.FromMilliseconds(options.Cluster.NoveltySyncMs));
        var nights = new NightReporter(grains, observer, log, TimeSpan.FromSeconds(1));
        var recent = new RecentAlerts(RecentCapacity, nights);

        // One writer per silo: the name must stay the same across restarts (it finds the files a crash left open), so
        // host and silo port; with a free port (0) two silos of one host would share it, so the process id instead.
        var writer = options.Archive.Writer ?? NightArchive.WriterName(Environment.MachineName) + "-" + (options.Cluster.SiloPort != 0
            ? options.Cluster.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "p" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var archive = options.Archive.Directory is null ? null : new NightArchive(options.Archive with { Writer = writer }, log);
        pipeline = BrokerPipeline.Create(options, log, recent, new PipelineServices
        {
            Novelty = novelty,
            Objects = new ClusterObjectLedger(grains, TransientRetry.Default),
            Archive = archive,
        });
        if (archive is not null)
        {
            archive.Filters = pipeline.Filters;
        }

        var catalog = new FilterCatalogSync(grains, pipeline.ApplyCatalog, log, TimeSpan.FromSeconds(1));
        var members = app.Services.GetRequiredService<IClusterMembershipService>();
        var local = app.Services.GetRequiredService<ILocalSiloDetails>();
        var pulse = new PulseReporter(grains, pipeline, local.SiloAddress.ToParsableString(), () => pipeline.Engine.Novelty.SnapshotIds, () => nights.RecentNights, log);
        if (options.Metrics.Listen is not null)
        {
            MetricsServer.MapEndpoints(app, pipeline.Status, () => new SiloHealth(
                local.SiloAddress.ToParsableString(),
                [.. members.CurrentSnapshot.Members.Values.Select(m => new SiloMember(m.SiloAddress.ToParsableString(), m.Status.ToString().ToLowerInvariant()))],
                pipeline.Engine.Novelty.SnapshotIds,
                catalog.Version,
                pipeline.Status.CatalogRefusals,
                archive is null ? null : new SiloArchiveHealth(archive.Root, archive.Writer, archive.Stored, archive.OpenFiles, archive.Failure, archive.Problem?.Reason),
                novelty.Dropped), SiloHealthJson.Default.SiloHealth);
            FilterApi.Map(app, grains, new WriteGuard(options.Metrics.Listen, options.Metrics.WriteToken));
            app.MapGet("/api/nights/{survey}/{night}", async (string survey, string night) =>
                Microsoft.AspNetCore.Http.Results.Json(NightDocument.Of(await grains.GetGrain<INightGrain>(survey + ":" + night).Summary().ConfigureAwait(false)), ApiJson.Default.NightDocument));
            if (options.Cluster.Dashboard)
            {
                app.MapOrleansDashboard("/orleans");
            }

            endpoints?.Invoke(app, new SiloEndpointContext(grains, pipeline, members, local.SiloAddress.ToParsableString(), recent, options.Metrics.Listen, options.Archive.Directory));
        }

        Uri? address = null;
        try
        {
            address = options.Metrics.Listen is { } l ? await MetricsServer.StartWebAsync(app, l).ConfigureAwait(false) : null;
            if (address is null)
            {
                await app.StartAsync().ConfigureAwait(false);
            }
        }
        catch
        {
            await novelty.DisposeAsync().ConfigureAwait(false);
            await pipeline.DisposeAsync().ConfigureAwait(false);
            if (archive is not null)
            {
                await archive.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        var digests = new NightDigestPublisher(grains, nights.NightsSince,
            Broker.Kafka.KafkaClients.Producer<byte[]?, byte[]>(Broker.Pipeline.Kafka.KafkaSettings.Producer(options)), options.DigestTopic, log,
            TimeSpan.FromSeconds(options.Cluster.DigestSeconds), archive?.Root);
        novelty.Start();
        nights.Start();
        pulse.Start();
        digests.Start();
        await catalog.StartAsync().ConfigureAwait(false);
        return new SiloHost(app, pipeline, novelty, catalog, nights, pulse, archive, digests, address, log);
    }

    /// <summary>Publishes the digests of the nights this silo saw since the last ones now; returns how many.</summary>
    public Task<int> PublishDigestsAsync() => _digests.PublishNowAsync(CancellationToken.None);

    /// <summary>Sends this silo's pending night counts now (they go about once a second otherwise).</summary>
    public Task FlushNightsAsync() => _nights.FlushAsync();

    /// <summary>Consumes until <paramref name="stop"/> (drain, commit) or a fatal error (throws PipelineFailedException).</summary>
    public Task RunAsync(CancellationToken stop) => Pipeline.RunAsync(stop);

    public async ValueTask DisposeAsync()
    {
        // The grain-facing parts flush to grains and Orleans leaves the membership table: with Redis or the other silos
        // unreachable each step would wait out Orleans' timeouts (a minute each), so the whole stop gets one budget,
        // processing.drain_seconds, after which the silo leaves ungracefully (the others notice it is gone) and what
        // was not flushed is lost with it: per-silo night counts and novelty batches, never an alert or an offset.
        var seconds = Math.Max(2, Pipeline.Options.Processing.DrainSeconds);
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        using var hardStop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 2));
        await Bounded(_catalog.DisposeAsync(), "the filter catalog sync", budget.Token).ConfigureAwait(false);
        await Bounded(_nights.DisposeAsync(), "the night counts", budget.Token).ConfigureAwait(false);
        await Bounded(_digests.DisposeAsync(), "the night digests", budget.Token).ConfigureAwait(false);
        await Bounded(_pulse.DisposeAsync(), "the pulse", budget.Token).ConfigureAwait(false);
        await Bounded(_novelty.DisposeAsync(), "the novelty models", budget.Token).ConfigureAwait(false);
        // Cancelling the token asks Orleans to stop ungracefully instead of waiting on the membership table; some of its
        // stop stages do not observe it, so the wait itself ends two seconds past the budget at the latest.
        await Bounded(new ValueTask(StopHostAsync(budget.Token)), "the Orleans silo", hardStop.Token).ConfigureAwait(false);

        // Disposing the host waits for a stop it cancelled to unwind: two seconds at most (it takes milliseconds after a
        // stop that completed).
        using (var last = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await Bounded(_app.DisposeAsync(), "the host's disposal", last.Token).ConfigureAwait(false);
        }

        await Pipeline.DisposeAsync().ConfigureAwait(false);
        if (_archive is not null)
        {
            await _archive.DisposeAsync().ConfigureAwait(false); // after the pipeline: what it drained is written, then files close
        }
    }

    private async Task StopHostAsync(CancellationToken budget)
    {
        try
        {
            await _app.StopAsync(budget).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogStopBudget(_log, "the Orleans silo", Pipeline.Options.Processing.DrainSeconds);
        }
    }

    private async Task Bounded(ValueTask stopping, string what, CancellationToken budget)
    {
        try
        {
            await stopping.AsTask().WaitAsync(budget).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogStopBudget(_log, what, Pipeline.Options.Processing.DrainSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stop: gave up waiting for {What} after processing.drain_seconds ({DrainSeconds} s); leaving without it")]
    private static partial void LogStopBudget(ILogger log, string what, double drainSeconds);

    /// <summary>The night archive this silo writes (null when archive.directory is not set).</summary>
    public NightArchive? Archive => _archive;
}

/// <summary>What endpoints mapped on a silo's host can use: the grains, this silo's pipeline, the membership view.</summary>
/// <param name="Recent">The last alerts this silo published (the filter playground's sample).</param>
/// <param name="Listen">The HTTP address the silo binds (writes need a token unless it is loopback).</param>
/// <param name="ArchiveRoot">The night archive's root (archive.directory), null when the archive is off.</param>
public sealed record SiloEndpointContext(IGrainFactory Grains, BrokerPipeline Pipeline, IClusterMembershipService Membership, string Silo, RecentAlerts Recent, string? Listen, string? ArchiveRoot = null);
