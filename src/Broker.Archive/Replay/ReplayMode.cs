// What a replay does with the annotations an archived night recorded: nothing (score), reproduce them (exact), or
// report how today's models and filters differ from them (compare).
namespace Broker.Archive.Replay;

/// <summary>What a replay does with recorded annotations.</summary>
public enum ReplayMode
{
    /// <summary>Score the alerts; recorded annotations, if any, are not consulted.</summary>
    Score,

    /// <summary>Reproduce the recorded annotations with the recorded models and novelty snapshots.</summary>
    Exact,

    /// <summary>Score with the current models and report what changed against the recorded annotations.</summary>
    Compare,
}
