// One generated candidate: its three stamps, where the candidate sits, and the truth (family, label, flux).
using Broker.Simulation.Scenes;

namespace Broker.Simulation.Generation;

public sealed record GeneratedTriplet(
    Scene Scene,
    ArtifactFamily Family,
    int Width,
    int Height,
    int CenterX,
    int CenterY,
    float[] Science,
    float[] Template,
    float[] Difference,
    double Flux,
    double TargetSnr)
{
    public bool IsReal => Family == ArtifactFamily.Real;

    /// <summary>Pixel columns cut off the left / rows off the bottom (edge stamps trimmed like ZTF's).</summary>
    public int TrimLeft { get; init; }

    public int TrimBottom { get; init; }
}
