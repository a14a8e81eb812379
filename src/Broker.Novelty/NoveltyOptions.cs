namespace Broker.Novelty;

/// <summary>How the streaming forests learn. Memory is fixed by these numbers, whatever the stream's length.</summary>
public sealed record NoveltyOptions
{
    public ulong Seed { get; init; } = 1;

    /// <summary>Trees per subspace forest.</summary>
    public int Trees { get; init; } = 64;

    /// <summary>Points per tree (psi in the 2008 paper; 256 there too).</summary>
    public int SampleSize { get; init; } = 256;

    /// <summary>Values kept per feature for the rank transform, and recent alerts kept for building trees.</summary>
    public int ReservoirCapacity { get; init; } = 2048;

    /// <summary>Alerts after which the reservoirs stop being uniform and start fading (the memory's scale).</summary>
    public long Horizon { get; init; } = 50_000;

    /// <summary>A new snapshot every this many updates.</summary>
    public int RebuildEvery { get; init; } = 2_000;

    /// <summary>Trees per forest replaced at each rebuild (oldest first): the whole forest turns over every Trees / this rebuilds.</summary>
    public int TreesPerRebuild { get; init; } = 8;
}
