// The Avro schemas the broker writes (version 1), generated from the feature catalog and the novelty subspaces
// so they cannot drift from the code; schemas/ holds the same text (a test keeps it equal). Output records are:
//   full:  the input alert's record with one more field, `broker` (this annotation), appended last;
//   light: broker.v1.light_alert, the alert's identity and photometry plus the annotation (no cutouts, no history).
// Appending a field keeps the original bytes valid: a record is encoded as its fields' encodings in order, so
// the alert's own bytes followed by the annotation's are the extended record (no re-encoding).
using System.Text;
using System.Text.Json;
using Broker.Avro.Schema;
using Broker.Features.Catalog;
using Broker.Novelty.Forest;

namespace Broker.Engine.Annotation;

public static class AnnotationSchema
{
    /// <summary>Version of the annotation layout; part of every Confluent schema id the broker assigns.</summary>
    public const int Version = 1;

    public const string Namespace = "broker.v1";

    /// <summary>Name of the field appended to the alert record.</summary>
    public const string FieldName = "broker";

    /// <summary>File names under schemas/.</summary>
    public const string AnnotationFile = "broker-annotation-v1.avsc";

    public const string LightFile = "broker-light-alert-v1.avsc";

    /// <summary>The annotation record's JSON text.</summary>
    public static string AnnotationJson { get; } = BuildAnnotation();

    /// <summary>The light alert record's JSON text (annotation included).</summary>
    public static string LightJson { get; } = BuildLight();

    public static RecordSchema Annotation { get; } = (RecordSchema)AvroSchema.Parse(AnnotationJson);

    public static RecordSchema Light { get; } = (RecordSchema)AvroSchema.Parse(LightJson);

    /// <summary>The subspace names the annotation reports scores for, in order.</summary>
    public static IReadOnlyList<string> Subspaces { get; } = [.. Subspace.Default.Select(s => s.Name)];

    private static string BuildAnnotation() => Write(w => WriteAnnotation(w));

    private static string BuildLight() => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "record");
        w.WriteString("name", "light_alert");
        w.WriteString("namespace", Namespace);
        w.WriteString("doc", "A light payload: the alert's identity and photometry and the broker's annotation, without cutouts or history.");
        w.WriteStartArray("fields");
        Field(w, "survey", "string", "ztf or rubin");
        Field(w, "alert_id", "long", "ZTF candid / Rubin diaSourceId");
        Field(w, "object_id", "string", "ZTF objectId / Rubin diaObjectId");
        Field(w, "mjd", "double", "time of the detection (MJD)");
        Field(w, "ra", "double", "degrees (ICRS)");
        Field(w, "dec", "double", "degrees (ICRS)");
        Field(w, "band", "string", "filter band");
        Field(w, "mag", "double", "difference-image PSF magnitude (AB)");
        Field(w, "magerr", "double", "its 1-sigma error");
        w.WriteStartObject();
        w.WriteString("name", FieldName);
        w.WritePropertyName("type");
        WriteAnnotation(w);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteAnnotation(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("type", "record");
        w.WriteString("name", "annotation");
        w.WriteString("namespace", Namespace);
        w.WriteString("doc", "What the broker computed for this alert (docs/features.md, docs/models.md).");
        w.WriteStartArray("fields");
        Field(w, "annotation_version", "int", "layout version of this record");
        Field(w, "survey", "string", "ztf or rubin");
        Field(w, "alert_id", "long", "ZTF candid / Rubin diaSourceId: the output message key");
        w.WriteStartObject();
        w.WriteString("name", "source");
        w.WriteString("doc", "where the input message was read");
        w.WritePropertyName("type");
        w.WriteStartObject();
        w.WriteString("type", "record");
        w.WriteString("name", "source");
        w.WriteStartArray("fields");
        Field(w, "topic", "string", null);
        Field(w, "partition", "int", null);
        Field(w, "offset", "long", null);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        Field(w, "rb", "float", "real/bogus probability from the boosted trees over the hand-built features");
        Field(w, "rb_model", "string", "model id (models/rb/card.json)");
        NullableField(w, "cnn", "float", "CNN probability on the cutout triplet; null without a usable difference cutout");
        NullableField(w, "cnn_model", "string", "CNN model id (its card.json; models/cnn-int8 by default)");
        NullableField(w, "rb_combined", "float", "stacked real/bogus + CNN probability");

        w.WriteStartObject();
        w.WriteString("name", "novelty");
        w.WriteString("doc", "null while the novelty forests warm up");
        w.WritePropertyName("type");
        w.WriteStartArray();
        w.WriteStringValue("null");
        w.WriteStartObject();
        w.WriteString("type", "record");
        w.WriteString("name", "novelty");
        w.WriteStartArray("fields");
        Field(w, "score", "float", "isolation-forest anomaly score of the top subspace (0.5 = ordinary, near 1 = isolated at once)");
        Field(w, "subspace", "string", "the feature subspace whose forest found the alert most unusual");
        w.WriteStartObject();
        w.WriteString("name", "subspace_scores");
        w.WriteString("doc", "score per subspace: " + string.Join(", ", Subspace.Default.Select(s => s.Name)));
        w.WritePropertyName("type");
        w.WriteStartObject();
        w.WriteString("type", "map");
        w.WriteString("values", "float");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("name", "top_features");
        w.WriteString("doc", "features that isolated the alert earliest in the top subspace, with their share of the split credit");
        w.WritePropertyName("type");
        w.WriteStartObject();
        w.WriteString("type", "array");
        w.WritePropertyName("items");
        w.WriteStartObject();
        w.WriteString("type", "record");
        w.WriteString("name", "feature_share");
        w.WriteStartArray("fields");
        Field(w, "name", "string", null);
        Field(w, "share", "float", null);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        Field(w, "snapshot_id", "string", "the forest snapshot that scored the alert (replays pin it)");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteNull("default");
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("name", "features");
        w.WriteString("doc", "the hand-built features (docs/features.md); NaN = not available for this alert");
        w.WritePropertyName("type");
        w.WriteStartObject();
        w.WriteString("type", "record");
        w.WriteString("name", "features");
        w.WriteStartArray("fields");
        foreach (var f in FeatureCatalog.All)
        {
            Field(w, f.Name, "float", f.Definition);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("name", "filters");
        w.WriteString("doc", "names of the subscription filters the alert matched");
        w.WritePropertyName("type");
        w.WriteStartObject();
        w.WriteString("type", "array");
        w.WriteString("items", "string");
        w.WriteEndObject();
        w.WriteEndObject();
        TimeField(w, "ingest_time", "when the broker read the input message");
        TimeField(w, "publish_time", "when the broker wrote this output message");
        w.WriteStartObject();
        w.WriteString("name", "redelivered");
        w.WriteString("type", "boolean");
        w.WriteBoolean("default", false);
        w.WriteString("doc", "true when the cluster had already published this alert (re-read after a crash or rebalance); filtered topics do not carry it again");
        w.WriteEndObject();
        WriteObjectHistory(w);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteObjectHistory(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("name", "object");
        w.WriteString("doc", "the object's light curve across every alert the broker has seen of it; null when the alert names no object or the broker runs without object grains");
        w.WritePropertyName("type");
        w.WriteStartArray();
        w.WriteStringValue("null");
        w.WriteStartObject();
        w.WriteString("type", "record");
        w.WriteString("name", "object_history");
        w.WriteStartArray("fields");
        Field(w, "alerts", "int", "alerts of this object the broker has seen, this one included");
        Field(w, "detections", "int", "distinct detections (by time and band) across their histories");
        Field(w, "first_mjd", "double", "the earliest detection");
        Field(w, "last_mjd", "double", "the latest detection");
        Field(w, "bands", "int", "distinct bands detected");
        Field(w, "peak_mag", "float", "brightest detection magnitude, any band");
        Field(w, "lc_rise_rate", "float", "as the feature lc_rise_rate, over the whole history");
        Field(w, "lc_days_since_last", "float", "as the feature lc_days_since_last, over the whole history");
        Field(w, "lc_amplitude", "float", "as the feature lc_amplitude, over the whole history");
        Field(w, "lc_color", "float", "as the feature lc_color, over the whole history");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteNull("default");
        w.WriteEndObject();
    }

    private static void Field(Utf8JsonWriter w, string name, string type, string? doc)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("type", type);
        if (doc is not null)
        {
            w.WriteString("doc", doc);
        }

        w.WriteEndObject();
    }

    private static void NullableField(Utf8JsonWriter w, string name, string type, string doc)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteStartArray("type");
        w.WriteStringValue("null");
        w.WriteStringValue(type);
        w.WriteEndArray();
        w.WriteNull("default");
        w.WriteString("doc", doc);
        w.WriteEndObject();
    }

    private static void TimeField(Utf8JsonWriter w, string name, string doc)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WritePropertyName("type");
        w.WriteStartObject();
        w.WriteString("type", "long");
        w.WriteString("logicalType", "timestamp-millis");
        w.WriteEndObject();
        w.WriteString("doc", doc);
        w.WriteEndObject();
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            body(w);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
