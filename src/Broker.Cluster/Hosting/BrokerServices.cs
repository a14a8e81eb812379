// The broker's one composition root: AddBroker registers a broker's parts on a generic host, the same way for a silo
// of the cluster and for the pipeline alone (`run --no-cluster`, `bench e2e --alone`, `replay --through-kafka`).
// BrokerHost is the only caller; commands and benches start a BrokerHost and never wire parts by hand.
//
// What a silo adds: the grain-backed novelty models and object ledger, the night reporter (and the recent alerts the
// playground samples), and the periodic syncers (novelty sync, night counts, pulse, night digests, filter catalog),
// which start and stop with the host as one hosted service (SiloSyncers). The pipeline and the archive are made once
// here, wired to each other here (the archive evaluates the pipeline's filters), and disposed by BrokerHost after
// the host has stopped: the pipeline drains into the archive, then the archive closes its files.
using Broker.Archive;
using Broker.Cluster.Catalog;
using Broker.Cluster.Nights;
using Broker.Cluster.Novelty;
using Broker.Cluster.Objects;
using Broker.Cluster.Operations;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Broker.Cluster.Hosting;

/// <summary>How a broker process runs: as one silo of the cluster, or the pipeline alone (no grains).</summary>
public enum BrokerMode
{
    /// <summary>A silo: grains own the shared state (novelty, objects, filter catalog, nights).</summary>
    Silo,

    /// <summary>The pipeline alone: novelty learned in-process, no object history, no cluster endpoints.</summary>
    Alone,
}

/// <summary>A broker's parts as the host made them; BrokerHost owns the pipeline and the archive.</summary>
public sealed class BrokerParts
{
    public required BrokerOptions Options { get; init; }

    public required BrokerPipeline Pipeline { get; init; }

    /// <summary>The night archive (null when archive.directory is not set).</summary>
    public NightArchive? Archive { get; init; }

    /// <summary>The last alerts published (the dashboard playground's sample); a silo's only.</summary>
    public RecentAlerts? Recent { get; init; }

    /// <summary>What a silo adds; null for the pipeline alone.</summary>
    public SiloParts? Silo { get; init; }
}

/// <summary>A silo's grain-facing parts: made with the pipeline, started and stopped by <see cref="SiloSyncers"/>.</summary>
public sealed record SiloParts(ClusterNoveltyModels Novelty, NightReporter Nights, FilterCatalogSync Catalog, PulseReporter Pulse, NightDigestPublisher Digests, string Address);

public static class BrokerServices
{
    /// <summary>Alerts kept for the dashboard's filter playground.</summary>
    public const int RecentCapacity = 300;

    /// <summary>
    /// Registers the broker's parts for <paramref name="mode"/>: <see cref="BrokerParts"/> (made when first asked, in a
    /// silo once the grain factory exists) and, in a silo, the syncers as a hosted service. Call after UseOrleans, so
    /// the syncers stop before the silo does (a host stops its services in reverse order).
    /// </summary>
    public static IServiceCollection AddBroker(this IServiceCollection services, BrokerOptions options, BrokerMode mode, IPipelineObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(sp => mode == BrokerMode.Silo ? SiloParts(sp, options, observer) : Alone(sp, options, observer));
        if (mode == BrokerMode.Silo)
        {
            services.AddHostedService<SiloSyncers>();
        }

        return services;
    }

    private static BrokerParts Alone(IServiceProvider services, BrokerOptions options, IPipelineObserver? observer)
    {
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("broker");
        var archive = options.Archive.Directory is null ? null : new NightArchive(options.Archive, log);
        var pipeline = BrokerPipeline.Create(options, log, observer, new PipelineServices { Archive = archive });
        if (archive is not null)
        {
            archive.Filters = pipeline.Filters;
        }

        return new BrokerParts { Options = options, Pipeline = pipeline, Archive = archive };
    }

    // Each part made here is owned by the BrokerParts it goes into (SiloSyncers and BrokerHost dispose them).
#pragma warning disable CA2000
    private static BrokerParts SiloParts(IServiceProvider services, BrokerOptions options, IPipelineObserver? observer)
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("broker");
        var address = services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();
        var novelty = new ClusterNoveltyModels(grains, log, TimeSpan.FromMilliseconds(options.Cluster.NoveltySyncMs));
        var nights = new NightReporter(grains, observer, log, TimeSpan.FromSeconds(1));
        var recent = new RecentAlerts(RecentCapacity, nights);

        // One writer per silo: the name must stay the same across restarts (it finds the files a crash left open), so
        // host and silo port; with a free port (0) two silos of one host would share it, so the process id instead.
        var writer = options.Archive.Writer ?? NightArchive.WriterName(Environment.MachineName) + "-" + (options.Cluster.SiloPort != 0
            ? options.Cluster.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "p" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var archive = options.Archive.Directory is null ? null : new NightArchive(options.Archive with { Writer = writer }, log);
        var pipeline = BrokerPipeline.Create(options, log, recent, new PipelineServices
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
        var pulse = new PulseReporter(grains, pipeline, address, () => pipeline.Engine.Novelty.SnapshotIds, () => nights.RecentNights, log);
        var digests = new NightDigestPublisher(grains, nights.NightsSince,
            Broker.Kafka.KafkaClients.Producer<byte[]?, byte[]>(Broker.Pipeline.Kafka.KafkaSettings.Producer(options)), options.DigestTopic, log,
            TimeSpan.FromSeconds(options.Cluster.DigestSeconds), archive?.Root);
        return new BrokerParts
        {
            Options = options,
            Pipeline = pipeline,
            Archive = archive,
            Recent = recent,
            Silo = new SiloParts(novelty, nights, catalog, pulse, digests, address),
        };
    }
#pragma warning restore CA2000
}
