// A novelty snapshot as it travels between silos: its id, the survey it belongs to, how many alerts it learned from,
// and the snapshot file's bytes (SnapshotFile's layout, checked against the feature catalog when loaded).
using Broker.Features.Catalog;
using Broker.Novelty.Snapshots;

namespace Broker.Cluster.Novelty;

[GenerateSerializer]
[Immutable]
public sealed record NoveltySnapshotMessage(
    [property: Id(0)] string SnapshotId,
    [property: Id(1)] string Survey,
    [property: Id(2)] long Updates,
    [property: Id(3)] byte[] Bytes)
{
    /// <summary>The snapshot, ready to score (an InvalidDataException if the bytes are not one for this catalog).</summary>
    public NoveltySnapshot Load() => SnapshotFile.FromBytes(Bytes, FeatureCatalog.Names, $"novelty snapshot {SnapshotId} ({Survey})");
}
