// The bench's per-thread CPU accounting (what `bench e2e` subtracts for its own load: the threads named so when the
// broker starts, then their CPU): a named thread that works is found by its name and counted, and only it.
using Broker.Cli.Commands.Pipeline;

namespace Broker.Cli.Tests;

public sealed class NamedThreadsCpuTests
{
    [Fact]
    public void A_named_threads_cpu_is_counted_under_its_name_only()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc is Linux's; elsewhere the bench reports the whole process's CPU
        }

        var before = NamedThreadsCpu.Of(NamedThreadsCpu.Named("cpu-counted"));
        IReadOnlySet<int> found = new HashSet<int>();
        var done = new ManualResetEventSlim();
        var measured = TimeSpan.Zero;
        var thread = new Thread(() =>
        {
            // Work until the thread's own count shows at least 5 ticks (bounded: 30 s at most on a starved machine).
            var limit = System.Diagnostics.Stopwatch.StartNew();
            var x = 0.0;
            found = NamedThreadsCpu.Named("cpu-counted");
            while (limit.Elapsed < TimeSpan.FromSeconds(30) && (measured = NamedThreadsCpu.Of(found)) < TimeSpan.FromMilliseconds(50))
            {
                for (var i = 0; i < 1_000_000; i++)
                {
                    x += Math.Sqrt(i);
                }
            }

            GC.KeepAlive(x);
            done.Set();
        })
        { Name = "cpu-counted" };
        thread.Start();
        Assert.True(done.Wait(TimeSpan.FromSeconds(60)));
        thread.Join();
        Assert.Equal(TimeSpan.Zero, before);
        Assert.Single(found);
        Assert.True(measured >= TimeSpan.FromMilliseconds(50), $"{measured}");
        Assert.Empty(NamedThreadsCpu.Named("no-such-thread"));
        Assert.Equal(TimeSpan.Zero, NamedThreadsCpu.Of(NamedThreadsCpu.Named("no-such-thread")));
    }
}
