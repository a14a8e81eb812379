// Checks a bootstrap.servers value before any client is built, so a wrong address fails fast with a message
// that names the address and the fix. Without this, librdkafka retries forever and only logs.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;

namespace Broker.Kafka.Configuration;

/// <summary>One <c>host:port</c> entry of a bootstrap list.</summary>
public readonly record struct BootstrapAddress(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>Validates and probes a Kafka bootstrap list.</summary>
public static class KafkaPreflight
{
    private const string Fix =
        "Fix: check bootstrap.servers (--bootstrap or the config file). For a cluster on this machine, start one with "
        + "`./broker kafka serve` and use the address it prints.";

    /// <summary>Parses <c>host:port[,host:port...]</c> (an optional <c>PLAINTEXT://</c>-style prefix is allowed).</summary>
    public static IReadOnlyList<BootstrapAddress> Parse(string? bootstrapServers)
    {
        if (string.IsNullOrWhiteSpace(bootstrapServers))
        {
            throw new KafkaConfigurationException($"bootstrap.servers is empty. {Fix}");
        }

        var result = new List<BootstrapAddress>();
        foreach (var raw in bootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var entry = raw;
            var scheme = entry.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                entry = entry[(scheme + 3)..];
            }

            var colon = entry.LastIndexOf(':');
            var host = colon > 0 ? entry[..colon].Trim('[', ']') : string.Empty;
            if (host.Length == 0
                || !int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535)
            {
                throw new KafkaConfigurationException(
                    $"bootstrap.servers entry '{raw}' is not host:port (for example 127.0.0.1:9092). {Fix}");
            }

            result.Add(new BootstrapAddress(host, port));
        }

        if (result.Count == 0)
        {
            throw new KafkaConfigurationException($"bootstrap.servers '{bootstrapServers}' names no broker. {Fix}");
        }

        return result;
    }

    /// <summary>
    /// Resolves every host, connects over TCP, then asks the cluster for metadata. Throws
    /// <see cref="KafkaConfigurationException"/> saying which step failed for which address; returns the broker count.
    /// </summary>
    public static async Task<int> CheckAsync(string bootstrapServers, TimeSpan timeout, CancellationToken cancel = default)
    {
        var addresses = Parse(bootstrapServers);
        var unresolved = new List<string>();
        var refused = new List<string>();
        var reachable = 0;
        foreach (var address in addresses)
        {
            IPAddress[] ips;
            try
            {
                ips = IPAddress.TryParse(address.Host, out var literal)
                    ? [literal]
                    : await Dns.GetHostAddressesAsync(address.Host, cancel);
            }
            catch (SocketException e)
            {
                unresolved.Add($"{address.Host} ({e.SocketErrorCode})");
                continue;
            }

            if (ips.Length == 0)
            {
                unresolved.Add(address.Host);
                continue;
            }

            if (await CanConnectAsync(ips, address.Port, timeout, cancel))
            {
                reachable++;
            }
            else
            {
                refused.Add(address.ToString());
            }
        }

        if (reachable == 0)
        {
            var why = new List<string>();
            if (unresolved.Count > 0)
            {
                why.Add($"unknown host {string.Join(", ", unresolved)}");
            }

            if (refused.Count > 0)
            {
                why.Add($"nothing is listening at {string.Join(", ", refused)}");
            }

            throw new KafkaConfigurationException($"Cannot reach Kafka at '{bootstrapServers}': {string.Join("; ", why)}. {Fix}");
        }

        return await Task.Run(() => QueryBrokerCount(bootstrapServers, timeout), cancel);
    }

    private static int QueryBrokerCount(string bootstrapServers, TimeSpan timeout)
    {
        Native.LibrdkafkaLoader.EnsureLoaded();
        var config = new AdminClientConfig { BootstrapServers = bootstrapServers, LogConnectionClose = false };
        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        try
        {
            var metadata = admin.GetMetadata(timeout);
            return metadata.Brokers.Count;
        }
        catch (KafkaException e)
        {
            throw new KafkaConfigurationException(
                $"'{bootstrapServers}' accepts TCP connections but did not answer a Kafka metadata request within "
                + $"{timeout.TotalSeconds:0.#} s ({e.Error.Reason}). Is it a Kafka listener (and is the security protocol right)? {Fix}",
                e);
        }
    }

    private static async Task<bool> CanConnectAsync(IPAddress[] ips, int port, TimeSpan timeout, CancellationToken cancel)
    {
        foreach (var ip in ips)
        {
            using var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(ip, port, deadline.Token);
                return true;
            }
            catch (SocketException)
            {
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
            }
        }

        return false;
    }
}
