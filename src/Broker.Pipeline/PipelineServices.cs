// What a pipeline shares with others when it runs in a cluster: the novelty models and the object ledger. A
// pipeline alone gets LocalNoveltyModels and no ledger; a silo passes its grain-backed ones. The archive, when
// configured, is one more place the outputs are stored.
using Broker.Engine.Shared;

namespace Broker.Pipeline;

public sealed record PipelineServices
{
    /// <summary>Novelty models per survey; null: a LocalNoveltyModels seeded from processing.novelty_seed.</summary>
    public INoveltyModels? Novelty { get; init; }

    /// <summary>Object histories and re-delivery recognition; null: none (packet history only).</summary>
    public IObjectLedger? Objects { get; init; }

    /// <summary>Where published alerts are kept by night; null: not archived.</summary>
    public IAlertArchive? Archive { get; init; }
}
