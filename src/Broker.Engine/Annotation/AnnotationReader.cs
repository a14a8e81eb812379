// The inverse of AnnotationEncoder: a decoded `broker` record back into an AlertAnnotation. What reads the archive
// (index rebuilt after a crash, replays that pin the recorded snapshot, --compare) and anyone holding the broker's
// output. Reads fields by name, so it follows the schema rather than the encoder's byte order.
using Broker.Avro.Generic;
using Broker.Avro.Schema;
using Broker.Engine.Shared;
using Broker.Features.Catalog;

namespace Broker.Engine.Annotation;

public static class AnnotationReader
{
    /// <summary>The annotation in a broker output record (the alert record with its `broker` field).</summary>
    public static RecordedAnnotation FromOutput(AvroRecord output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.TryGet(AnnotationSchema.FieldName, out var value) && value.Kind == AvroType.Record
            ? Read(value.AsRecord())
            : throw new InvalidDataException($"record {output.Schema.FullName} has no '{AnnotationSchema.FieldName}' field: it is not broker output.");
    }

    /// <summary>One `broker` record (schemas/broker-annotation-v1.avsc).</summary>
    public static RecordedAnnotation Read(AvroRecord broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var version = broker["annotation_version"].AsInt();
        if (version != AnnotationSchema.Version)
        {
            throw new InvalidDataException($"annotation version {version}; this broker reads version {AnnotationSchema.Version}.");
        }

        var source = broker["source"].AsRecord();
        var featureRecord = broker["features"].AsRecord();
        var features = new float[FeatureCatalog.Count];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = featureRecord.TryGet(FeatureCatalog.All[i].Name, out var f) ? f.AsFloat() : float.NaN;
        }

        NoveltyAnnotation? novelty = null;
        if (broker["novelty"] is { IsNull: false } n)
        {
            var r = n.AsRecord();
            novelty = new NoveltyAnnotation(
                r["score"].AsFloat(),
                r["subspace"].AsString(),
                [.. r["subspace_scores"].AsMap().Entries.ToArray().Select(e => new KeyValuePair<string, float>(e.Key, e.Value.AsFloat()))],
                [.. r["top_features"].AsArray().Items.ToArray().Select(e => new KeyValuePair<string, float>(e.AsRecord()["name"].AsString(), e.AsRecord()["share"].AsFloat()))],
                r["snapshot_id"].AsString());
        }

        ObjectHistory? history = null;
        if (broker.GetOrNull("object") is { IsNull: false } o)
        {
            var h = o.AsRecord();
            history = new ObjectHistory(h["alerts"].AsInt(), h["detections"].AsInt(), h["first_mjd"].AsDouble(), h["last_mjd"].AsDouble(), h["bands"].AsInt(),
                h["peak_mag"].AsFloat(), h["lc_rise_rate"].AsFloat(), h["lc_days_since_last"].AsFloat(), h["lc_amplitude"].AsFloat(), h["lc_color"].AsFloat());
        }

        var annotation = new AlertAnnotation
        {
            Source = new SourcePosition(source["topic"].AsString(), source["partition"].AsInt(), source["offset"].AsLong()),
            Features = features,
            Rb = broker["rb"].AsFloat(),
            RbModel = broker["rb_model"].AsString(),
            Cnn = broker["cnn"] is { IsNull: false } cnn ? cnn.AsFloat() : null,
            CnnModel = broker["cnn_model"].ToText(),
            RbCombined = broker["rb_combined"] is { IsNull: false } combined ? combined.AsFloat() : null,
            Novelty = novelty,
            Filters = [.. broker["filters"].AsArray().Items.ToArray().Select(f => f.AsString())],
            IngestTimeMs = broker["ingest_time"].AsLong(),
            Redelivered = broker.GetOrNull("redelivered") is { IsNull: false } re && re.AsBoolean(),
            Object = history,
        };
        return new RecordedAnnotation(broker["survey"].AsString(), broker["alert_id"].AsLong(), annotation, broker["publish_time"].AsLong());
    }
}

/// <summary>An annotation as it was published: whose, what, and when it was written.</summary>
public sealed record RecordedAnnotation(string Survey, long AlertId, AlertAnnotation Annotation, long PublishTimeMs);
