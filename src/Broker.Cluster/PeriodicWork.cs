// One background loop on a timer, for a silo's periodic work (the novelty sync, the catalog poll, the night and pulse
// reports): runs the tick every interval until disposed. A tick that throws is handed to `failed` and the next tick
// tries again (a silo's death or a slow grain must not end the loop); disposing stops the timer and waits for a
// tick in progress to finish.
namespace Broker.Cluster;

public sealed class PeriodicWork : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PeriodicWork(TimeSpan interval, Func<CancellationToken, Task> tick, Action<Exception> failed)
    {
        ArgumentNullException.ThrowIfNull(tick);
        ArgumentNullException.ThrowIfNull(failed);
        _loop = Task.Run(() => RunAsync(interval, tick, failed));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(TimeSpan interval, Func<CancellationToken, Task> tick, Action<Exception> failed)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await tick(_stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // the next tick tries again
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failed(e);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}
