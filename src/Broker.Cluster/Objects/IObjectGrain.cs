// One grain per survey object (key "ztf:ZTF21abcdefg", "rubin:<diaObjectId>"): the object's detections across all
// its alerts and the alerts already published. A silo visits it with each alert's small photometry record (never
// the alert bytes) and tells it when the alert's outputs are stored.
namespace Broker.Cluster.Objects;

public interface IObjectGrain : IGrainWithStringKey
{
    /// <summary>Merges the alert's detection and packet history into the object's; returns the history as of this alert.</summary>
    Task<ObjectVisitMessage> Visit(ObjectAlertMessage alert);

    /// <summary>Remembers (durably, before returning) that the alert's outputs are stored.</summary>
    Task Published(long alertId);

    /// <summary>The object's detections, oldest first (for the dashboard's light curves and tests).</summary>
    Task<IReadOnlyList<ObjectDetection>> Detections();
}
