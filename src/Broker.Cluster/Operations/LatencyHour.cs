// Ingest-to-publish latency over the last hour, as 60 one-minute histograms of 64 log-spaced bins (0.1 ms to ~100 s,
// 24% wide): percentiles over the hour without keeping samples, and histograms from several silos add up.
namespace Broker.Cluster.Operations;

public sealed class LatencyHour
{
    public const int Bins = 64;
    private const double Lowest = 0.1;
    private static readonly double Step = Math.Log(1e6) / (Bins - 1); // 0.1 ms .. 100 s

    private readonly long[,] _minutes = new long[60, Bins];
    private readonly long[] _minuteOf = new long[60];
    private readonly Lock _gate = new();

    public void Add(double milliseconds, long nowMs)
    {
        var minute = nowMs / 60_000;
        var slot = (int)(minute % 60);
        lock (_gate)
        {
            if (_minuteOf[slot] != minute)
            {
                _minuteOf[slot] = minute;
                for (var b = 0; b < Bins; b++)
                {
                    _minutes[slot, b] = 0;
                }
            }

            _minutes[slot, Bin(milliseconds)]++;
        }
    }

    /// <summary>The last hour's histogram (minutes older than an hour left out).</summary>
    public long[] Snapshot(long nowMs)
    {
        var minute = nowMs / 60_000;
        var total = new long[Bins];
        lock (_gate)
        {
            for (var slot = 0; slot < 60; slot++)
            {
                if (minute - _minuteOf[slot] < 60)
                {
                    for (var b = 0; b < Bins; b++)
                    {
                        total[b] += _minutes[slot, b];
                    }
                }
            }
        }

        return total;
    }

    public static int Bin(double milliseconds) =>
        !(milliseconds > Lowest) ? 0 : Math.Min(Bins - 1, (int)Math.Ceiling(Math.Log(milliseconds / Lowest) / Step));

    /// <summary>The upper edge of a bin, ms.</summary>
    public static double UpperEdge(int bin) => Lowest * Math.Exp(bin * Step);

    /// <summary>The quantile (0..1) of a histogram, as its bin's upper edge; NaN when empty.</summary>
    public static double Quantile(long[] histogram, double q)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var count = histogram.Sum();
        if (count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(q * count);
        var seen = 0L;
        for (var b = 0; b < histogram.Length; b++)
        {
            seen += histogram[b];
            if (seen >= rank)
            {
                return UpperEdge(b);
            }
        }

        return UpperEdge(histogram.Length - 1);
    }
}
