// Owns one survey object's history (ObjectState) across all its alerts, persisted in the "objects" grain storage
// (memory on one machine, Redis in production). Visits change the state in memory; Published writes it, so every
// alert whose outputs were stored is durably known before its offset is committed, and the history goes with it.
// Idle objects deactivate (cluster.object_idle_minutes), so memory follows the objects active tonight, not all ever seen.
using Orleans.Runtime;

namespace Broker.Cluster.Objects;

public sealed class ObjectGrain([PersistentState("object", ObjectGrain.Storage)] IPersistentState<ObjectState> state) : Grain, IObjectGrain
{
    /// <summary>The grain storage provider name the silo host registers.</summary>
    public const string Storage = "objects";

    public Task<ObjectVisitMessage> Visit(ObjectAlertMessage alert) => Task.FromResult(state.State.Visit(alert));

    public async Task Published(long alertId)
    {
        if (state.State.Published(alertId))
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
    }

    public Task<IReadOnlyList<ObjectDetection>> Detections() => Task.FromResult<IReadOnlyList<ObjectDetection>>([.. state.State.Detections]);

    /// <summary>The grain key of a survey object.</summary>
    public static string Key(string survey, string objectId) => survey + ":" + objectId;
}
