// Deterministic randomness: one generator per (seed, alert index), so a set is the same however it is split
// across threads, and any single alert can be regenerated alone.
namespace Broker.Simulation.Rendering;

public sealed class Rng
{
    private readonly Random _random;
    private double? _spare;

    public Rng(long seed, long index) => _random = new Random(unchecked((int)Mix(seed, index)));

    public double Uniform() => _random.NextDouble();

    public double Uniform(double lo, double hi) => lo + ((hi - lo) * _random.NextDouble());

    /// <summary>Log-uniform between <paramref name="lo"/> and <paramref name="hi"/> (both positive).</summary>
    public double LogUniform(double lo, double hi) => Math.Exp(Uniform(Math.Log(lo), Math.Log(hi)));

    public int Int(int lo, int hiExclusive) => _random.Next(lo, hiExclusive);

    public bool Chance(double p) => _random.NextDouble() < p;

    /// <summary>Standard normal (Box-Muller, pairs cached).</summary>
    public double Gaussian()
    {
        if (_spare is { } s)
        {
            _spare = null;
            return s;
        }

        var u1 = 1 - _random.NextDouble();
        var u2 = _random.NextDouble();
        var r = Math.Sqrt(-2 * Math.Log(u1));
        _spare = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>SplitMix64 finaliser over the pair: well-spread seeds from consecutive indexes.</summary>
    public static ulong Mix(long seed, long index)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) + (ulong)index + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
