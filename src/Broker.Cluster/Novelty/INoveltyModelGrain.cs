// One novelty model per survey for the whole cluster (keyed by survey: "ztf", "rubin"). Silos send it samples of
// what they score and fetch its latest snapshot; every silo then scores with the same model, and ZTF and Rubin never
// share one (a Rubin alert must not look novel to a ZTF-trained model just for being Rubin).
using Orleans.Concurrency;

namespace Broker.Cluster.Novelty;

public interface INoveltyModelGrain : IGrainWithStringKey
{
    /// <summary>
    /// Learns from feature vectors (FeatureCatalog.Count floats each, catalog order), in order. Returns the id of the
    /// snapshot in force afterwards, or null while the model is still warming up.
    /// </summary>
    Task<string?> Learn(Immutable<float[]> vectors);

    /// <summary>The latest snapshot, unless the caller already holds it (<paramref name="known"/>) or there is none yet.</summary>
    Task<NoveltySnapshotMessage?> Latest(string? known);
}
