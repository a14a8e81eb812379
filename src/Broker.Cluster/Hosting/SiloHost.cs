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
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Broker.Pipeline.Metrics;
using Broker.Pipeline.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime;

namespace Broker.Cluster.Hosting;

public sealed class SiloHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ClusterNoveltyModels _novelty;
    private readonly FilterCatalogSync _catalog;
    private readonly NightReporter _nights;
    private readonly PulseReporter _pulse;
    private readonly NightArchive? _archive;
    private readonly NightDigestPublisher _digests;

    private SiloHost(WebApplication app, BrokerPipeline pipeline, ClusterNoveltyModels novelty, FilterCatalogSync catalog, NightReporter nights, PulseReporter pulse, NightArchive? archive, NightDigestPublisher digests, Uri? address)
    {
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
            builder.WebHost.UseSetting("urls", string.Empty);
        }

        builder.UseOrleans(silo => SiloConfiguration.Apply(silo, options.Cluster));
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
        var pulse = new PulseReporter(grains, pipeline, local.SiloAddress.ToParsableString(), () => pipeline.Novelty.SnapshotIds, () => nights.RecentNights, log);
        if (options.Metrics.Listen is not null)
        {
            MetricsServer.MapEndpoints(app, pipeline.Status, () => new Dictionary<string, object?>
            {
                ["silo"] = local.SiloAddress.ToParsableString(),
                ["silos"] = members.CurrentSnapshot.Members.Values
                    .Select(m => new Dictionary<string, object?> { ["address"] = m.SiloAddress.ToParsableString(), ["status"] = m.Status.ToString().ToLowerInvariant() })
                    .ToList(),
                ["novelty_snapshots"] = pipeline.Novelty.SnapshotIds,
                ["catalog_version"] = catalog.Version,
                ["catalog_refused"] = pipeline.Status.CatalogRefusals,
                ["archive"] = archive is null ? null : new Dictionary<string, object?>
                {
                    ["directory"] = archive.Root,
                    ["writer"] = archive.Writer,
                    ["stored"] = archive.Stored,
                    ["open_files"] = archive.OpenFiles,
                    ["failure"] = archive.Failure,
                },
            });
            FilterApi.Map(app, grains, new WriteGuard(options.Metrics.Listen, options.Metrics.WriteToken));
            app.MapGet("/api/nights/{survey}/{night}", async (string survey, string night) =>
                Microsoft.AspNetCore.Http.Results.Json(NightJson.Of(await grains.GetGrain<INightGrain>(survey + ":" + night).Summary().ConfigureAwait(false))));
            if (options.Cluster.Dashboard)
            {
                app.MapOrleansDashboard("/orleans");
            }

            endpoints?.Invoke(app, new SiloEndpointContext(grains, pipeline, members, local.SiloAddress.ToParsableString(), recent, options.Metrics.Listen));
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
        return new SiloHost(app, pipeline, novelty, catalog, nights, pulse, archive, digests, address);
    }

    /// <summary>Publishes the digests of the nights this silo saw since the last ones now; returns how many.</summary>
    public Task<int> PublishDigestsAsync() => _digests.PublishNowAsync(CancellationToken.None);

    /// <summary>Sends this silo's pending night counts now (they go about once a second otherwise).</summary>
    public Task FlushNightsAsync() => _nights.FlushAsync();

    /// <summary>Consumes until <paramref name="stop"/> (drain, commit) or a fatal error (throws PipelineFailedException).</summary>
    public Task RunAsync(CancellationToken stop) => Pipeline.RunAsync(stop);

    public async ValueTask DisposeAsync()
    {
        await _catalog.DisposeAsync().ConfigureAwait(false);
        await _nights.DisposeAsync().ConfigureAwait(false);
        await _digests.DisposeAsync().ConfigureAwait(false);
        await _pulse.DisposeAsync().ConfigureAwait(false);
        await _novelty.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Pipeline.DisposeAsync().ConfigureAwait(false);
        if (_archive is not null)
        {
            await _archive.DisposeAsync().ConfigureAwait(false); // after the pipeline: what it drained is written, then files close
        }
    }

    /// <summary>The night archive this silo writes (null when archive.directory is not set).</summary>
    public NightArchive? Archive => _archive;
}

/// <summary>What endpoints mapped on a silo's host can use: the grains, this silo's pipeline, the membership view.</summary>
/// <param name="Recent">The last alerts this silo published (the filter playground's sample).</param>
/// <param name="Listen">The HTTP address the silo binds (writes need a token unless it is loopback).</param>
public sealed record SiloEndpointContext(IGrainFactory Grains, BrokerPipeline Pipeline, IClusterMembershipService Membership, string Silo, RecentAlerts Recent, string? Listen);
