// CPU time of the calling thread (Linux: clock_gettime(CLOCK_THREAD_CPUTIME_ID)), so a stage measured on a busy,
// shared machine counts what it spent, not the time another process held the core. Elsewhere: wall-clock time.
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Broker.Engine;

internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Microseconds of CPU this thread has used (a monotonic wall clock where the OS call is missing).</summary>
    public static double NowMicroseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var t) == 0)
        {
            return (t.Seconds * 1e6) + (t.Nanoseconds / 1e3);
        }

        return Stopwatch.GetTimestamp() * 1e6 / Stopwatch.Frequency;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);
}
