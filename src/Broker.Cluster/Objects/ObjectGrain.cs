// Owns one survey object's history (ObjectState) across all its alerts, persisted in the "objects" grain storage.
// With durable storage (Redis) Published writes the state before it returns, so every alert whose outputs were
// stored is known to survive this silo's death before its offset is committed, and the history goes with it. With
// memory storage (one machine) a write survives nothing a silo's death would not also take, costs 256 us of CPU per
// alert instead of 94 us (`broker bench objects`), and would keep every object ever seen in the process (7.8 KiB
// each): so the state is not written, and an object idle for cluster.object_idle_minutes forgets all but what its
// next packet carries. Memory then follows the active objects only (docs/performance.md, "Cluster").
// Idle objects deactivate (cluster.object_idle_minutes), so memory follows the objects active tonight, not all ever seen.
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime;

namespace Broker.Cluster.Objects;

// Placed on the silo that first calls it: most of an object's alerts then cost an in-process call (~5 us), not a
// cross-silo one (~60 us).
[PreferLocalPlacement]
public sealed class ObjectGrain(
    [PersistentState("object", ObjectGrain.Storage)] IPersistentState<ObjectState> state,
    IOptions<ObjectGrainOptions> options) : Grain, IObjectGrain
{

    /// <summary>The grain storage provider name the silo host registers.</summary>
    public const string Storage = "objects";

    public Task<ObjectVisitMessage> Visit(ObjectAlertMessage alert) => Task.FromResult(state.State.Visit(alert));

    public async Task Published(long alertId)
    {
        if (state.State.Published(alertId) && options.Value.WriteOnPublish)
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
    }

    public Task<IReadOnlyList<ObjectDetection>> Detections() => Task.FromResult<IReadOnlyList<ObjectDetection>>([.. state.State.Detections]);

    /// <summary>The grain key of a survey object.</summary>
    public static string Key(string survey, string objectId) => survey + ":" + objectId;
}

/// <summary>Whether object grains write their state on every Published (durable storage) or never (memory storage).</summary>
public sealed class ObjectGrainOptions
{
    public bool WriteOnPublish { get; set; } = true;
}
