// Holds the silos' latest pulses in memory (what happened in the last seconds is not worth persisting: after a
// restart the next reports refill it within a second). A silo that stops reporting is dropped after ten minutes.
namespace Broker.Cluster.Operations;

public sealed class ClusterPulseGrain : Grain, IClusterPulseGrain
{
    public const string Key = "default";

    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(10);
    private readonly Dictionary<string, PulsePair> _silos = new(StringComparer.Ordinal);

    public Task Report(SiloPulse pulse)
    {
        ArgumentNullException.ThrowIfNull(pulse);
        _silos[pulse.Silo] = new PulsePair(pulse, _silos.TryGetValue(pulse.Silo, out var pair) ? pair.Latest : null);
        var cutoff = pulse.TimeMs - (long)Forget.TotalMilliseconds;
        foreach (var stale in _silos.Where(s => s.Value.Latest.TimeMs < cutoff).Select(s => s.Key).ToList())
        {
            _silos.Remove(stale);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PulsePair>> Latest() => Task.FromResult<IReadOnlyList<PulsePair>>([.. _silos.Values.OrderBy(p => p.Latest.Silo, StringComparer.Ordinal)]);
}
