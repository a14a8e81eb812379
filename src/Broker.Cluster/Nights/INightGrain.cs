// One grain per survey and observing night (key "ztf:2026-03-09", "rubin:2026-03-09"; "input:<date>", by ingest
// date, for input that never became an alert): what the night looked like. Silos send it deltas about once a second; the dashboard
// and the archive read it.
namespace Broker.Cluster.Nights;

public interface INightGrain : IGrainWithStringKey
{
    /// <summary>Adds one silo's counts since its last report; returns the novelty an alert must beat to enter the night's top list (0 until it is full).</summary>
    Task<float> Record(NightDelta delta);

    /// <summary>The night so far.</summary>
    Task<NightSummary> Summary();

    /// <summary>A uniform-ish sample of the night's alerts (at most NightGrain.MapSampleSize) for the dashboard's map.</summary>
    Task<IReadOnlyList<MapPoint>> MapSample();
}
