// How the cluster section of the configuration becomes Orleans settings: clustering, grain storage, endpoints,
// failure detection and object idle time. Kept apart from the host so the test cluster applies the same storage.
using System.Net;
using Broker.Cluster.Catalog;
using Broker.Cluster.Nights;
using Broker.Cluster.Objects;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Dashboard;
using StackExchange.Redis;

namespace Broker.Cluster.Hosting;

public static class SiloConfiguration
{
    /// <summary>The grain storage names the grains use: objects, the filter catalog, nights.</summary>
    public static IReadOnlyList<string> StorageNames { get; } = [ObjectGrain.Storage, FilterCatalogGrain.Storage, NightGrain.Storage];

    public static void Apply(ISiloBuilder silo, ClusterOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(cluster);
        cluster = cluster with
        {
            SiloPort = cluster.SiloPort == 0 ? FreePort() : cluster.SiloPort,
            GatewayPort = cluster.GatewayPort == 0 ? FreePort() : cluster.GatewayPort,
        };
        silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        if (cluster.Clustering == "redis")
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = Redis(cluster));
            var advertised = cluster.AdvertisedAddress is { } a ? Resolve(a) : IPAddress.Loopback;
            silo.ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        }

        foreach (var name in StorageNames)
        {
            if (cluster.Storage == "redis")
            {
                silo.AddRedisGrainStorage(name, o => o.ConfigurationOptions = Redis(cluster));
            }
            else
            {
                silo.AddMemoryGrainStorage(name);
            }
        }

        silo.Configure<ClusterMembershipOptions>(o =>
        {
            // Orleans' defaults (10 s probes, 3 missed, 2 votes) took 11-18 s to declare a killed silo dead here; these
            // take ~2-3 s. On 2 busy cores a long GC or thread-pool stall can look like a death: raise them there.
            o.ProbeTimeout = TimeSpan.FromSeconds(cluster.ProbeTimeoutSeconds);
            o.NumMissedProbesLimit = cluster.MissedProbesLimit;
            o.NumVotesForDeathDeclaration = 1;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        });
        silo.Configure<ObjectGrainOptions>(o => o.WriteOnPublish = cluster.Storage == "redis");
        silo.Configure<Catalog.FilterCatalogOptions>(o => o.MaxFilters = cluster.MaxFilters);
        silo.Configure<GrainCollectionOptions>(o =>
            o.ClassSpecificCollectionAge[typeof(ObjectGrain).FullName!] = TimeSpan.FromMinutes(cluster.ObjectIdleMinutes));
        if (cluster.Dashboard)
        {
            silo.AddDashboard();
        }
    }

    /// <summary>A port free on loopback now (Orleans needs a real one to advertise; the race with another process is small).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ConfigurationOptions Redis(ClusterOptions cluster)
    {
        var options = ConfigurationOptions.Parse(cluster.Redis!);
        options.AbortOnConnectFail = false;
        return options;
    }

    // "auto": this host's own first non-loopback IPv4 address (a container's address on its network).
    private static IPAddress Resolve(string host) =>
        IPAddress.TryParse(host, out var ip) ? ip
        : Dns.GetHostAddresses(host == "auto" ? Dns.GetHostName() : host)
            .Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            .OrderBy(a => IPAddress.IsLoopback(a))
            .First();
}
