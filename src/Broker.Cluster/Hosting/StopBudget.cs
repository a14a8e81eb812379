// One part of a stop waited for within the stop's budget (processing.drain_seconds): past it the part is left behind
// with a warning naming it, never waited on longer. What BrokerHost and SiloSyncers share when a process stops.
using Microsoft.Extensions.Logging;

namespace Broker.Cluster.Hosting;

internal static partial class StopBudget
{
    /// <summary>Waits for <paramref name="stopping"/> until <paramref name="budget"/> ends; then logs and returns.</summary>
    public static async Task WaitAsync(ValueTask stopping, string what, CancellationToken budget, ILogger log, double drainSeconds)
    {
        try
        {
            await stopping.AsTask().WaitAsync(budget).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            GaveUp(log, what, drainSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stop: gave up waiting for {What} after processing.drain_seconds ({DrainSeconds} s); leaving without it")]
    public static partial void GaveUp(ILogger log, string what, double drainSeconds);
}
