// Keeps one silo's pipeline in step with the cluster's filter catalog: polls the catalog grain for a newer version
// every interval (one small call; a change reaches every silo within about that interval) and puts the catalog's
// filters in force. A poll that fails (the catalog's silo just died) is retried at the next tick.
using Broker.Filters;
using Microsoft.Extensions.Logging;

namespace Broker.Cluster.Catalog;

/// <param name="apply">Puts the catalog's filters in force (BrokerPipeline.ApplyCatalog); returns those refused, with why.</param>
public sealed partial class FilterCatalogSync(IGrainFactory grains, Func<IReadOnlyList<FilterDefinition>, IReadOnlyDictionary<string, string>> apply, ILogger log, TimeSpan interval) : IAsyncDisposable
{
    private PeriodicWork? _polls;
    private long _version = -1;

    /// <summary>The catalog version in force on this silo (-1 before the first poll).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Applies the catalog once (so a silo starts with it), then polls.</summary>
    public async Task StartAsync()
    {
        try
        {
            await PollAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the loop retries; a silo must start even if the catalog's silo is down
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogPollFailed(log, e.Message);
        }

        _polls = new PeriodicWork(interval, _ => PollAsync(), e => LogPollFailed(log, e.Message));
    }

    /// <summary>Fetches the catalog if it changed and puts it in force; true when it changed.</summary>
    public async Task<bool> PollAsync()
    {
        var catalog = grains.GetGrain<IFilterCatalogGrain>(FilterCatalogGrain.Key);
        if (await catalog.Changed(Version).ConfigureAwait(false) is not { } message)
        {
            return false;
        }

        var refused = apply([.. message.Filters.Select(f => f.ToDefinition())]);
        foreach (var (name, why) in refused)
        {
            LogRefused(log, name, why);
        }

        Interlocked.Exchange(ref _version, message.Version);
        LogApplied(log, message.Version, message.Filters.Length - refused.Count);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_polls is not null)
        {
            await _polls.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Filter catalog version {Version} in force: {Count} filters")]
    private static partial void LogApplied(ILogger log, long version, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Catalog filter {Name} not put in force on this silo: {Reason}")]
    private static partial void LogRefused(ILogger log, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Filter catalog poll failed ({Error}); retrying")]
    private static partial void LogPollFailed(ILogger log, string error);
}
