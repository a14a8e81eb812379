// The cluster's pulse (key "default"): the last two reports of every silo, so whoever reads it (the dashboard, on
// any silo) gets rates from the difference and sees a silo whose reports stopped.
namespace Broker.Cluster.Operations;

public interface IClusterPulseGrain : IGrainWithStringKey
{
    Task Report(SiloPulse pulse);

    /// <summary>Per silo, its latest report and the one before (null until it has two).</summary>
    Task<IReadOnlyList<PulsePair>> Latest();
}

[GenerateSerializer]
[Immutable]
public sealed record PulsePair([property: Id(0)] SiloPulse Latest, [property: Id(1)] SiloPulse? Previous);
