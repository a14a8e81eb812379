// What the engine is built from: the served models' directories, the CNN micro-batcher's limits, the novelty
// models' seed and learning gate, and where alert and output schemas come from. The Kafka runner fills it from its
// configuration file (PipelineOptions.Engine()); replays and tests fill it directly.
using Broker.Avro.Framing;
using Broker.Engine.Metrics;
using Broker.Engine.Shared;

namespace Broker.Engine;

public sealed record EngineOptions
{
    /// <summary>The boosted trees' directory (models/rb).</summary>
    public required string RbModel { get; init; }

    /// <summary>The CNN's directory (models/cnn-int8), or null to serve none (rb_combined is then absent).</summary>
    public string? CnnModel { get; init; }

    /// <summary>The most cutout triplets one CNN call scores.</summary>
    public int CnnMaxBatch { get; init; } = 16;

    /// <summary>How long a CNN batch waits to fill before it runs anyway.</summary>
    public TimeSpan CnnMaxWait { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Seed of the engine's own novelty models (when <see cref="EngineServices.Novelty"/> is not given).</summary>
    public ulong NoveltySeed { get; init; } = 1;

    /// <summary>Alerts less likely real than this are scored for novelty but not learned from.</summary>
    public double NoveltyLearnMinReal { get; init; } = 0.5;

    /// <summary>Where writer schemas of framed (Confluent) alerts come from; null: container files and known schemas only.</summary>
    public ISchemaSource? AlertSchemas { get; init; }

    /// <summary>Where the output schemas are written (subscribers read them).</summary>
    public string OutputSchemaDirectory { get; init; } = "state/schemas";
}

/// <summary>What an engine shares with others when it runs in a cluster, and where it reports.</summary>
public sealed record EngineServices
{
    /// <summary>Novelty models per survey; null: LocalNoveltyModels seeded from <see cref="EngineOptions.NoveltySeed"/>.</summary>
    public INoveltyModels? Novelty { get; init; }

    /// <summary>Object histories and re-delivery recognition; null: none (packet history only).</summary>
    public IObjectLedger? Objects { get; init; }

    /// <summary>Where failures of the object ledger are reported; null: nowhere (they are still retried).</summary>
    public IEngineHealth? Health { get; init; }

    /// <summary>The instruments stage latencies are recorded on; null: the engine's own (not exported).</summary>
    public BrokerMetrics? Metrics { get; init; }
}
