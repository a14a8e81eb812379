// The configuration file's "cluster" section, owned by the project that runs the silo: clustering and storage,
// ports, the syncers' periods and the Orleans Dashboard. Checked when the file is read (BrokerOptions.Load).
namespace Broker.Cluster.Hosting;

/// <summary>
/// The Orleans silo `broker run` starts (docs/cluster.md). One machine: localhost clustering and memory storage, no
/// external service. Production: Redis for membership and grain state, one silo per machine or container.
/// </summary>
public sealed record ClusterOptions
{
    /// <summary>localhost (one silo, development and demo) or redis (any number of silos).</summary>
    public string Clustering { get; init; } = "localhost";

    /// <summary>How many filters the cluster's catalog takes (each costs a match per alert and a topic); more are refused.</summary>
    public int MaxFilters { get; init; } = 256;

    /// <summary>memory (lost with the silo) or redis: where object grains, the filter catalog and night grains persist.</summary>
    public string Storage { get; init; } = "memory";

    /// <summary>StackExchange.Redis configuration string, e.g. 127.0.0.1:6379 (clustering or storage redis).</summary>
    public string? Redis { get; init; }

    /// <summary>Silos with the same cluster id form one cluster; grain state is shared by service id.</summary>
    public string ClusterId { get; init; } = "broker";

    public string ServiceId { get; init; } = "broker";

    /// <summary>Silo-to-silo port (0: a free one, chosen at start).</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>Port clients (`broker filter --cluster`) connect to (0: a free one).</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>The address other silos reach this one at: an IP, a host name, "auto" (this host's own; containers), or null (loopback: one machine).</summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>Object grains idle this long deactivate (their state is stored; the next alert reloads it).</summary>
    public double ObjectIdleMinutes { get; init; } = 10;

    /// <summary>How often a silo sends its novelty samples to the survey's model grain and fetches its snapshot.</summary>
    public double NoveltySyncMs { get; init; } = 500;

    /// <summary>Seconds a silo may miss probes before others declare it dead (Orleans' default detection takes 11-18 s here).</summary>
    public double ProbeTimeoutSeconds { get; init; } = 1;

    public int MissedProbesLimit { get; init; } = 2;

    /// <summary>How often each silo publishes the digests of the nights it saw to &lt;prefix&gt;.digest.</summary>
    public double DigestSeconds { get; init; } = 600;

    /// <summary>Orleans Dashboard (grain-level operations) at /orleans on the metrics address.</summary>
    public bool Dashboard { get; init; } = true;

    /// <summary>What is wrong with this section, or null; the message names the key.</summary>
    public string? Problem() =>
        MaxFilters <= 0 ? "cluster.max_filters must be positive."
        : Clustering is not ("localhost" or "redis") ? "cluster.clustering is localhost or redis."
        : Storage is not ("memory" or "redis") ? "cluster.storage is memory or redis."
        : Redis is null && (Clustering == "redis" || Storage == "redis") ? "cluster.redis (host:port) is needed when clustering or storage is redis."
        : SiloPort is < 0 or > 65535 || GatewayPort is < 0 or > 65535 ? "cluster.silo_port and cluster.gateway_port are 0..65535."
        : !(DigestSeconds > 0) ? "cluster.digest_seconds must be positive."
        : !(ObjectIdleMinutes > 0 && NoveltySyncMs > 0 && ProbeTimeoutSeconds > 0 && MissedProbesLimit >= 1)
            ? "cluster.object_idle_minutes, novelty_sync_ms and probe_timeout_seconds must be positive, missed_probes_limit at least 1."
        : null;
}
