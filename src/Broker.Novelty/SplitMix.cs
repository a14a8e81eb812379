// A small deterministic generator (SplitMix64): the forests must be the same for the same seed and stream on
// every machine and .NET version, which System.Random does not promise.
namespace Broker.Novelty;

internal struct SplitMix
{
    private ulong _state;

    public SplitMix(ulong seed) => _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 24 bits, exactly representable as float.</summary>
    public float NextFloat() => (Next() >> 40) * (1f / (1 << 24));

    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)((Next() >> 33) % (ulong)n);
}
