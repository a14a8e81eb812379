// Where every published alert is kept for researchers (Broker.Archive's NightArchive: Avro container files per
// survey night with a Parquet index). The archive is one of the outputs an input message waits for: its offset is
// committed only after the archive says the record is on disk, exactly as for the Kafka outputs, so nothing the
// broker acknowledged can be missing from it (docs/operations.md, "Archive").
using Broker.Alerts.Model;
using Broker.Engine.Annotation;

namespace Broker.Engine.Shared;

public interface IAlertArchive
{
    /// <summary>
    /// Keeps the published record (the alert with its annotation, written at <paramref name="publishTimeMs"/>); completes
    /// when it is durable (flushed to disk); while the disk refuses writes it waits (see <see cref="Problem"/>). Throws
    /// when it cannot be kept: the pipeline then stops without committing.
    /// </summary>
    ValueTask StoreAsync(Alert alert, AlertAnnotation annotation, long publishTimeMs, CancellationToken cancel);

    /// <summary>
    /// Why records wait now (a disk that refuses writes: they are retried, not lost, and their offsets wait), or
    /// null. /health reports it as degraded.
    /// </summary>
    (string Reason, DateTimeOffset Since)? Problem { get; }
}
