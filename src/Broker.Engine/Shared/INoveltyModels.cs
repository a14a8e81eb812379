// Where the scorer gets a survey's novelty snapshot and where it sends what it scored. One process alone keeps a
// learner per survey (LocalNoveltyModels); in the cluster, one grain per survey learns from every silo's samples
// and every silo scores with its latest snapshot (Broker.Cluster's ClusterNoveltyModels). Either way ZTF and
// Rubin never share a model: a Rubin alert must not look novel to a ZTF-trained forest just for being Rubin.
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Novelty.Snapshots;

namespace Broker.Engine.Shared;

public interface INoveltyModels
{
    /// <summary>The snapshot that scores <paramref name="survey"/>'s alerts now; null while it warms up.</summary>
    NoveltySnapshot? Current(Survey survey);

    /// <summary>
    /// Learns from one scored alert's features (catalog order). Called by many lanes at once; the array is not
    /// changed afterwards, so an implementation may keep it.
    /// </summary>
    void Learn(Survey survey, float[] features);

    /// <summary>The snapshot ids in force, per survey (for status lines and /health).</summary>
    IReadOnlyDictionary<string, string> SnapshotIds =>
        Enum.GetValues<Survey>().Select(s => (Name: AnnotationEncoder.SurveyName(s), Snapshot: Current(s)))
            .Where(s => s.Snapshot is not null).ToDictionary(s => s.Name, s => s.Snapshot!.Id);
}
