// Encodes an annotation in the binary layout of AnnotationSchema, straight to a buffer (no AvroValue tree): it
// runs once per alert per output. The field order here must follow AnnotationSchema; the round-trip tests decode
// what this writes with the generic decoder under the generated schema.
using System.Buffers;
using Broker.Alerts.Model;
using Broker.Avro.Binary;

namespace Broker.Engine.Annotation;

public static class AnnotationEncoder
{
    /// <summary>Writes the `broker` record of <paramref name="alert"/>.</summary>
    public static void Write(IBufferWriter<byte> output, Alert alert, AlertAnnotation annotation, long publishTimeMs)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(annotation);
        var w = new AvroWriter(output);
        w.WriteInt(AnnotationSchema.Version);
        w.WriteString(SurveyName(alert.Survey));
        w.WriteLong(alert.AlertId);
        w.WriteString(annotation.Source.Topic);
        w.WriteInt(annotation.Source.Partition);
        w.WriteLong(annotation.Source.Offset);
        w.WriteFloat(annotation.Rb);
        w.WriteString(annotation.RbModel);
        NullableFloat(w, annotation.Cnn);
        NullableString(w, annotation.CnnModel);
        NullableFloat(w, annotation.RbCombined);
        if (annotation.Novelty is { } novelty)
        {
            w.WriteLong(1);
            w.WriteFloat(novelty.Score);
            w.WriteString(novelty.Subspace);
            w.WriteLong(novelty.SubspaceScores.Count);
            foreach (var (name, score) in novelty.SubspaceScores)
            {
                w.WriteString(name);
                w.WriteFloat(score);
            }

            w.WriteLong(0);
            if (novelty.TopFeatures.Count > 0)
            {
                w.WriteLong(novelty.TopFeatures.Count);
                foreach (var (name, share) in novelty.TopFeatures)
                {
                    w.WriteString(name);
                    w.WriteFloat(share);
                }
            }

            w.WriteLong(0);
            w.WriteString(novelty.SnapshotId);
        }
        else
        {
            w.WriteLong(0);
        }

        var features = annotation.Features;
        if (features.Length != Features.Catalog.FeatureCatalog.Count)
        {
            throw new ArgumentException($"The annotation has {features.Length} features; the schema has {Features.Catalog.FeatureCatalog.Count}.", nameof(annotation));
        }

        foreach (var f in features)
        {
            w.WriteFloat(f);
        }

        if (annotation.Filters.Count > 0)
        {
            w.WriteLong(annotation.Filters.Count);
            foreach (var name in annotation.Filters)
            {
                w.WriteString(name);
            }
        }

        w.WriteLong(0);
        w.WriteLong(annotation.IngestTimeMs);
        w.WriteLong(publishTimeMs);
        w.WriteBoolean(annotation.Redelivered);
        if (annotation.Object is { } o)
        {
            w.WriteLong(1);
            w.WriteInt(o.Alerts);
            w.WriteInt(o.Detections);
            w.WriteDouble(o.FirstMjd);
            w.WriteDouble(o.LastMjd);
            w.WriteInt(o.Bands);
            w.WriteFloat(o.PeakMag);
            w.WriteFloat(o.RiseRate);
            w.WriteFloat(o.DaysSinceLast);
            w.WriteFloat(o.Amplitude);
            w.WriteFloat(o.Color);
        }
        else
        {
            w.WriteLong(0);
        }
    }

    /// <summary>Writes a broker.v1.light_alert record.</summary>
    public static void WriteLight(IBufferWriter<byte> output, Alert alert, AlertAnnotation annotation, long publishTimeMs)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var w = new AvroWriter(output);
        w.WriteString(SurveyName(alert.Survey));
        w.WriteLong(alert.AlertId);
        w.WriteString(alert.ObjectId);
        w.WriteDouble(alert.Mjd);
        w.WriteDouble(alert.Ra);
        w.WriteDouble(alert.Dec);
        w.WriteString(alert.Band);
        w.WriteDouble(alert.Mag);
        w.WriteDouble(alert.MagErr);
        Write(output, alert, annotation, publishTimeMs);
    }

    public static string SurveyName(Survey survey) => survey == Survey.Ztf ? "ztf" : "rubin";

    private static void NullableFloat(AvroWriter w, float? value)
    {
        w.WriteLong(value.HasValue ? 1 : 0);
        if (value is { } v)
        {
            w.WriteFloat(v);
        }
    }

    private static void NullableString(AvroWriter w, string? value)
    {
        w.WriteLong(value is null ? 0 : 1);
        if (value is not null)
        {
            w.WriteString(value);
        }
    }
}
