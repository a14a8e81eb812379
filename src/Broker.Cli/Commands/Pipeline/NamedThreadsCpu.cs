// CPU time of this process's threads of one name, from Linux's /proc/self/task/*/{comm,stat}: what the bench's own
// embedded Kafka cluster costs (librdkafka's mock cluster runs on one thread, "rdk:mock"), so `bench e2e` can say
// what the broker itself spent per alert, as it would beside an external Kafka. Elsewhere: zero (the figure is then
// the whole process's, as before).
using System.Globalization;

namespace Broker.Cli.Commands.Pipeline;

internal static class NamedThreadsCpu
{
    /// <summary>Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux the broker runs on).</summary>
    private const double TicksPerSecond = 100;

    public static TimeSpan Of(string name)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task"))
        {
            return TimeSpan.Zero;
        }

        long ticks = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != name)
                {
                    continue;
                }

                // After "pid (comm) " come the fields from the third on: utime and stime are the 14th and 15th.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the thread ended between listing and reading: it no longer counts
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
