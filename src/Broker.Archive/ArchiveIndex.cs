// The columnar index of one archive file: one row per archived alert with its identity, time, position and
// photometry, every feature, the scores, novelty and its explanation, the model and snapshot ids, the filters
// matched and where the full record is (file, record number). Written as Parquet by DuckDB, so a researcher opens a
// night with pandas, pyarrow or DuckDB without this code:
//     SELECT * FROM read_parquet('archive/rubin/2026-03-09/*.parquet') WHERE rb_combined > 0.9
using System.Globalization;
using System.Text;
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Engine.Shared;
using Broker.Features.Catalog;
using DuckDB.NET.Data;

namespace Broker.Archive;

/// <summary>
/// One archived alert's index row: what the index keeps of the alert and its annotation (copied out, so an open
/// file's rows hold neither cutouts nor novelty snapshots in memory).
/// </summary>
public sealed record IndexRow(
    string Survey, string Night, long AlertId, string ObjectId, double Mjd, double Ra, double Dec, string Band, double Mag, double MagErr,
    bool IsPositive, double? SurveyScore, float Rb, string RbModel, float? Cnn, string? CnnModel, float? RbCombined, NoveltyAnnotation? Novelty,
    float[] Features, IReadOnlyList<string> Filters, bool Redelivered, ObjectHistory? Object, long IngestTimeMs, long PublishTimeMs,
    SourcePosition Source, string Part = "", int Record = 0)
{
    public static IndexRow Of(Alert alert, string night, AlertAnnotation a, long publishTimeMs)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(a);
        return new IndexRow(AnnotationEncoder.SurveyName(alert.Survey), night, alert.AlertId, alert.ObjectId, alert.Mjd, alert.Ra, alert.Dec,
            alert.Band, alert.Mag, alert.MagErr, alert.IsPositive, alert.SurveyScore, a.Rb, a.RbModel, a.Cnn, a.CnnModel, a.RbCombined, a.Novelty,
            a.Features, a.Filters, a.Redelivered, a.Object, a.IngestTimeMs, publishTimeMs, a.Source);
    }
}

public static class ArchiveIndex
{
    private static readonly string[] Features = FeatureCatalog.Names;
    private static readonly IReadOnlyList<string> Subspaces = AnnotationSchema.Subspaces;

    /// <summary>The fixed columns before the features (name, DuckDB type).</summary>
    private static readonly (string Name, string Type)[] Leading =
    [
        ("survey", "VARCHAR"), ("night", "VARCHAR"), ("alert_id", "BIGINT"), ("object_id", "VARCHAR"), ("mjd", "DOUBLE"),
        ("ra", "DOUBLE"), ("dec", "DOUBLE"), ("band", "VARCHAR"), ("mag", "DOUBLE"), ("magerr", "DOUBLE"), ("is_positive", "BOOLEAN"),
        ("survey_score", "DOUBLE"), ("rb", "FLOAT"), ("rb_model", "VARCHAR"), ("cnn", "FLOAT"), ("cnn_model", "VARCHAR"),
        ("rb_combined", "FLOAT"), ("novelty", "FLOAT"), ("novelty_subspace", "VARCHAR"), ("novelty_explanation", "VARCHAR"),
        ("novelty_snapshot", "VARCHAR"),
    ];

    private static readonly (string Name, string Type)[] Trailing =
    [
        ("filters", "VARCHAR[]"), ("redelivered", "BOOLEAN"), ("object_alerts", "INTEGER"), ("object_detections", "INTEGER"),
        ("object_first_mjd", "DOUBLE"), ("object_last_mjd", "DOUBLE"), ("ingest_time", "TIMESTAMP"), ("publish_time", "TIMESTAMP"),
        ("source_topic", "VARCHAR"), ("source_partition", "INTEGER"), ("source_offset", "BIGINT"), ("part", "VARCHAR"), ("record", "INTEGER"),
    ];

    /// <summary>Every column in order: the leading ones, novelty per subspace, one per feature (f_ + catalog name), the rest.</summary>
    public static IReadOnlyList<(string Name, string Type)> Columns { get; } =
        [.. Leading, .. Subspaces.Select(s => ("novelty_" + s, "FLOAT")), .. Features.Select(f => (FeaturePrefix + f, "FLOAT")), .. Trailing];

    /// <summary>Feature columns are f_&lt;name&gt; (docs/features.md): some names (mag, is_positive) are also alert columns.</summary>
    public const string FeaturePrefix = "f_";

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> (replaced atomically: readers never see half a file).</summary>
    public static void Write(string path, IReadOnlyList<IndexRow> rows)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(rows);
        var temp = path + ".tmp";
        using (var db = new DuckDBConnection("DataSource=:memory:"))
        {
            db.Open();
            Execute(db, "CREATE TABLE idx (" + string.Join(", ", Columns.Select(c => $"\"{c.Name}\" {c.Type}")) + ")");
            using (var appender = db.CreateAppender("idx"))
            {
                foreach (var row in rows)
                {
                    Append(appender.CreateRow(), row).EndRow();
                }
            }

            Execute(db, $"COPY idx TO '{temp.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet, COMPRESSION zstd)");
        }

        File.Move(temp, path, overwrite: true);
    }

    private static IDuckDBAppenderRow Append(IDuckDBAppenderRow r, IndexRow row)
    {
        r.AppendValue(row.Survey).AppendValue(row.Night).AppendValue(row.AlertId)
            .AppendValue(row.ObjectId).AppendValue(row.Mjd).AppendValue(row.Ra).AppendValue(row.Dec).AppendValue(row.Band)
            .AppendValue(row.Mag).AppendValue(row.MagErr).AppendValue(row.IsPositive).AppendValue(row.SurveyScore)
            .AppendValue(row.Rb).AppendValue(row.RbModel).AppendValue(row.Cnn).AppendValue(row.CnnModel).AppendValue(row.RbCombined)
            .AppendValue(row.Novelty?.Score).AppendValue(row.Novelty?.Subspace).AppendValue(row.Novelty is { } n ? Explain(n) : null)
            .AppendValue(row.Novelty?.SnapshotId);
        foreach (var subspace in Subspaces)
        {
            r.AppendValue(row.Novelty?.SubspaceScores.FirstOrDefault(s => s.Key == subspace) is { Key: not null } hit ? hit.Value : (float?)null);
        }

        foreach (var f in row.Features)
        {
            r.AppendValue(f);
        }

        return r.AppendValue((IEnumerable<string>)row.Filters).AppendValue(row.Redelivered)
            .AppendValue(row.Object?.Alerts).AppendValue(row.Object?.Detections).AppendValue(row.Object?.FirstMjd).AppendValue(row.Object?.LastMjd)
            .AppendValue(DateTimeOffset.FromUnixTimeMilliseconds(row.IngestTimeMs).UtcDateTime)
            .AppendValue(DateTimeOffset.FromUnixTimeMilliseconds(row.PublishTimeMs).UtcDateTime)
            .AppendValue(row.Source.Topic).AppendValue(row.Source.Partition).AppendValue(row.Source.Offset)
            .AppendValue(row.Part).AppendValue(row.Record);
    }

    /// <summary>"lc_color 50%, lc_nbands 25%": the features that isolated the alert, with their share.</summary>
    public static string Explain(NoveltyAnnotation novelty)
    {
        ArgumentNullException.ThrowIfNull(novelty);
        var text = new StringBuilder();
        foreach (var (name, share) in novelty.TopFeatures)
        {
            text.Append(text.Length > 0 ? ", " : string.Empty).Append(name).Append(' ').Append((share * 100).ToString("F0", CultureInfo.InvariantCulture)).Append('%');
        }

        return text.ToString();
    }

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
