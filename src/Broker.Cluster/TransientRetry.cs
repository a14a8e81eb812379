// Retries a grain call through what a silo's death looks like from a caller: the dead silo's connection refused or
// reset, its activations unreachable, a call timing out, until membership declares it dead and the grain is
// re-activated on a survivor. Bounded by a deadline; past it the last error surfaces (and the alert dead-letters
// with it rather than waiting forever).
using Orleans.Runtime;

namespace Broker.Cluster;

public sealed class TransientRetry(TimeSpan deadline)
{
    public static TransientRetry Default { get; } = new(TimeSpan.FromSeconds(60));

    public TimeSpan Deadline => deadline;

    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(call);
        var started = DateTime.UtcNow;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e) && DateTime.UtcNow - started < deadline && !cancel.IsCancellationRequested)
            {
                await Task.Delay(delay, cancel).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
            }
        }
    }

    public Task RunAsync(Func<Task> call, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(call);
        return RunAsync(async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }, cancel);
    }

    /// <summary>Failures a silo's death or a membership change produce; anything else is the grain's own error.</summary>
    public static bool IsTransient(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException
        or TimeoutException or GatewayTooBusyException or Orleans.Runtime.Messaging.ConnectionFailedException
        || (e is OrleansException && e.InnerException is not null && IsTransient(e.InnerException));
}
