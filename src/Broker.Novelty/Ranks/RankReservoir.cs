// Streaming quantile estimate of one feature in bounded memory: a reservoir of at most Capacity values that
// follows the stream with a fading memory. Until Horizon values have been seen it is a uniform sample of all of
// them; after that each new value replaces a random slot with probability Capacity / Horizon, so a value's
// chance to still be in the sample halves every ~0.7 Horizon values: the night's drift is followed without the
// past being forgotten at once. NaN values (missing features) are not sampled.
namespace Broker.Novelty.Ranks;

public sealed class RankReservoir
{
    private readonly float[] _values;
    private int _count;
    private long _seen;

    public RankReservoir(int capacity, long horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, capacity);
        _values = new float[capacity];
        Horizon = horizon;
    }

    public int Capacity => _values.Length;

    public long Horizon { get; }

    public int Count => _count;

    /// <summary>Finite values offered so far.</summary>
    public long Seen => _seen;

    internal void Add(float value, ref SplitMix random)
    {
        if (float.IsNaN(value))
        {
            return;
        }

        _seen++;
        if (_count < _values.Length)
        {
            _values[_count++] = value;
            return;
        }

        // Uniform reservoir (Vitter's algorithm R) up to the horizon, then a fixed replacement rate.
        var window = Math.Min(_seen, Horizon);
        var slot = (long)(random.NextDouble() * window);
        if (slot < _values.Length)
        {
            _values[slot] = value;
        }
    }

    /// <summary>The current sample, sorted (a copy).</summary>
    public float[] SortedSample()
    {
        var copy = _values.AsSpan(0, _count).ToArray();
        Array.Sort(copy);
        return copy;
    }
}
