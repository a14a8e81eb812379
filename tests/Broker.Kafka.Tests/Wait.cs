using System.Diagnostics;

namespace Broker.Kafka.Tests;

/// <summary>Bounded polling: every wait in these tests has a deadline and fails with a message.</summary>
internal static class Wait
{
    public static void Until(Func<bool> condition, TimeSpan timeout, string what, Action? eachRound = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for: {what}");
            }

            eachRound?.Invoke();
        }
    }
}
