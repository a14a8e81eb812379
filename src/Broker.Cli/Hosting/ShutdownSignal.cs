// SIGINT (Ctrl+C) and SIGTERM both become one cancellation, so every long-running command drains and exits
// cleanly the same way whether a person or a service manager stops it.
using System.Runtime.InteropServices;

namespace Broker.Cli.Hosting;

internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    public ShutdownSignal(CancellationToken linked)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(linked);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _cts.Token;

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _cts.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive: the command finishes its drain and returns its own exit code.
        context.Cancel = true;
        _cts.Cancel();
    }
}
