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

    /// <summary>What was drawn: the bogus family's name, or for a real candidate one of <see cref="RealVariants"/>.</summary>
    public string Variant { get; init; } = string.Empty;
}

/// <summary>The kinds of real injection the generator makes (reported apart by `broker eval generator`).</summary>
public static class RealVariants
{
    public const string Isolated = "real_isolated";
    public const string OnHost = "real_on_host";
    public const string AtEdge = "real_at_edge";

    public static IReadOnlyList<string> All { get; } = [Isolated, OnHost, AtEdge];
}
