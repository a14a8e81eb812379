// What a generated candidate is. Real is a point source injected into a real scene; the others are the
// artifact families a difference-imaging pipeline makes (Bloom et al. 2012, Brink et al. 2013, Duev et al. 2019).
namespace Broker.Simulation.Generation;

public enum ArtifactFamily
{
    Real,
    Dipole,
    BrightStarResidual,
    CosmicRay,
    HotPixel,
    BadColumn,
    Edge,
    Streak,
    Ghost,
}

public static class ArtifactFamilies
{
    public static IReadOnlyList<ArtifactFamily> Bogus { get; } = [.. Enum.GetValues<ArtifactFamily>().Where(f => f != ArtifactFamily.Real)];

    public static string Name(this ArtifactFamily family) => family switch
    {
        ArtifactFamily.Real => "real",
        ArtifactFamily.Dipole => "dipole",
        ArtifactFamily.BrightStarResidual => "bright_star",
        ArtifactFamily.CosmicRay => "cosmic_ray",
        ArtifactFamily.HotPixel => "hot_pixel",
        ArtifactFamily.BadColumn => "bad_column",
        ArtifactFamily.Edge => "edge",
        ArtifactFamily.Streak => "streak",
        _ => "ghost",
    };

    public static ArtifactFamily Parse(string name) =>
        Enum.GetValues<ArtifactFamily>().FirstOrDefault(f => f.Name() == name, (ArtifactFamily)(-1)) is var f && (int)f >= 0
            ? f
            : throw new FormatException($"Unknown artifact family '{name}'.");
}
