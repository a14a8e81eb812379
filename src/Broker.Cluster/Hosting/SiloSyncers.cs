// A silo's periodic work as one hosted service: it starts, after the Orleans silo, the novelty sync, the night counts,
// the pulse, the night digests and the filter catalog poll (the catalog's first load is awaited, so a silo consumes
// with the cluster's filters), and stops them before the silo, each flushing to its grains. The host's stop token is
// the shutdown budget (processing.drain_seconds, BrokerHost): a part that cannot flush in it (Redis or the other silos
// unreachable) is left behind with a warning, never waited on past the budget.
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Broker.Cluster.Hosting;

public sealed class SiloSyncers(BrokerParts parts, ILoggerFactory logs) : IHostedService
{
    private readonly SiloParts _silo = parts.Silo ?? throw new InvalidOperationException("SiloSyncers needs a silo's parts (BrokerMode.Silo).");
    private readonly ILogger _log = logs.CreateLogger("broker");
    private int _stopped;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _silo.Novelty.Start();
        _silo.Nights.Start();
        _silo.Pulse.Start();
        _silo.Digests.Start();
        await _silo.Catalog.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAllAsync(cancellationToken);

    /// <summary>Stops and disposes every part, each bounded by <paramref name="budget"/>; once only.</summary>
    public async Task DisposeAllAsync(CancellationToken budget)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await Bounded(_silo.Catalog.DisposeAsync(), "the filter catalog sync", budget).ConfigureAwait(false);
        await Bounded(_silo.Nights.DisposeAsync(), "the night counts", budget).ConfigureAwait(false);
        await Bounded(_silo.Digests.DisposeAsync(), "the night digests", budget).ConfigureAwait(false);
        await Bounded(_silo.Pulse.DisposeAsync(), "the pulse", budget).ConfigureAwait(false);
        await Bounded(_silo.Novelty.DisposeAsync(), "the novelty models", budget).ConfigureAwait(false);
    }

    private Task Bounded(ValueTask stopping, string what, CancellationToken budget) =>
        StopBudget.WaitAsync(stopping, what, budget, _log, parts.Options.Processing.DrainSeconds);
}
