// A generated alert with its truth: the encoded message (an Avro container file, as ZTF publishes) and the label.
namespace Broker.Simulation.Generation;

public sealed record LabeledAlert(long AlertId, ArtifactFamily Family, double TargetSnr, long SceneAlertId, byte[] Message)
{
    public bool IsReal => Family == ArtifactFamily.Real;

    /// <summary>The bogus family's name, or the kind of real injection (<see cref="RealVariants"/>).</summary>
    public string Variant { get; init; } = Family.Name();
}
