// An Orleans client for commands that talk to a running cluster (`broker filter add|remove|list --config FILE`):
// it finds the silos the way they find each other (the configuration's cluster section: Redis membership, or one
// machine's localhost gateway), or at an explicit gateway address.
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Broker.Cluster.Hosting;

public sealed class ClusterClient : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterClient(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects (bounded by <paramref name="timeout"/>); a cluster that cannot be reached is a ClusterUnreachableException naming where it looked.</summary>
    public static async Task<ClusterClient> ConnectAsync(ClusterOptions cluster, string? gateway, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var where = gateway ?? (cluster.Clustering == "redis" ? $"redis {cluster.Redis}" : $"127.0.0.1:{cluster.GatewayPort}");
        builder.UseOrleansClient(client =>
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            if (gateway is not null)
            {
                client.UseStaticClustering(ParseEndpoint(gateway));
            }
            else if (cluster.Clustering == "redis")
            {
                client.UseRedisClustering(o =>
                {
                    o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.Redis!);
                    o.ConfigurationOptions.AbortOnConnectFail = false;
                });
            }
            else
            {
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
            }

            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        });
        var host = builder.Build();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await host.StartAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException or TimeoutException or SiloUnavailableException
            or Orleans.Runtime.Messaging.ConnectionFailedException or RedisConnectionException)
        {
            host.Dispose();
            throw new ClusterUnreachableException($"no broker cluster '{cluster.ClusterId}' answered at {where} within {timeout.TotalSeconds:0} s ({e.Message}). Is `broker run` up, and is this its configuration?", e);
        }

        return new ClusterClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }

    private static IPEndPoint ParseEndpoint(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway[(colon + 1)..], out var port))
        {
            throw new ArgumentException($"gateway '{gateway}' must be host:port, e.g. 127.0.0.1:30000.", nameof(gateway));
        }

        var host = gateway[..colon];
        var ip = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return new IPEndPoint(ip, port);
    }
}

/// <summary>A command could not reach the cluster it was pointed at.</summary>
public sealed class ClusterUnreachableException : Exception
{
    public ClusterUnreachableException(string message, Exception inner) : base(message, inner) { }

    public ClusterUnreachableException(string message) : base(message) { }

    public ClusterUnreachableException() { }
}
