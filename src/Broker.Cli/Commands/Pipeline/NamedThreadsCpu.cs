// CPU time of chosen threads of this process, from Linux's /proc/self/task/*/{comm,stat}: what the bench's own
// load costs (the embedded Kafka cluster's and the replaying producer's librdkafka threads, found by name when the
// broker starts, see E2eRig), so `bench e2e` can say what the broker itself spent per alert, as it would beside an
// external Kafka and a real survey. Elsewhere: zero (the figure is then the whole process's).
using System.Globalization;

namespace Broker.Cli.Commands.Pipeline;

internal static class NamedThreadsCpu
{
    private const string Tasks = "/proc/self/task";

    /// <summary>Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux the broker runs on).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>The ids of this process's threads whose name starts with <paramref name="prefix"/> (empty off Linux).</summary>
    public static IReadOnlySet<int> Named(string prefix)
    {
        var ids = new HashSet<int>();
        foreach (var (id, task) in Threads())
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(prefix, StringComparison.Ordinal))
                {
                    ids.Add(id);
                }
            }
            catch (IOException)
            {
                // ended while listed
            }
        }

        return ids;
    }

    /// <summary>CPU time so far of the threads <paramref name="ids"/> (those that ended no longer count).</summary>
    public static TimeSpan Of(IReadOnlySet<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        long ticks = 0;
        foreach (var (id, task) in Threads())
        {
            if (!ids.Contains(id))
            {
                continue;
            }

            try
            {
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

    private static IEnumerable<(int Id, string Path)> Threads()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(Tasks))
        {
            yield break;
        }

        foreach (var task in Directory.EnumerateDirectories(Tasks))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                yield return (id, task);
            }
        }
    }
}
