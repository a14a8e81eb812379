// Parquet files of alerts in Fink's layouts, ZTF and Rubin, across Fink's versions: its Data Transfer export
// (Rubin, lsst.v10_0 columns), its science and filter modules' test data and online samples (ZTF, with the
// survey's field order and types, or alphabetical with every number a double after a pandas round trip). The
// survey is read from the columns (candidate: ZTF; diaSource: Rubin) and the record's schema from the file's own
// schema (Arrow's, ArrowAvro), so no avro_schema_*.json sidecar is needed. Each row becomes the survey's alert
// record again (its alert fields only: Fink's classifiers and cross-matches are not the survey's alert), written
// as a one-record Avro container file: what the decoder reads from any container-file alert. Rows are streamed in
// file order, an Arrow record batch at a time (ParquetSharp's Arrow reader, Apache Arrow's C++ Parquet reader
// underneath), so memory is bounded by a batch, not by the file; only the alert's columns are read.
using System.Buffers;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Broker.Avro;
using Broker.Avro.Binary;
using Broker.Avro.Container;
using Broker.Avro.Schema;
using ParquetSharp;
using ParquetSharp.Arrow;
using Field = Apache.Arrow.Field;

namespace Broker.Sources.Formats;

internal sealed class FinkParquetReader
{
    /// <summary>ZTF's alert record fields, in the order of ZTF's schema (those a file has are kept).</summary>
    private static readonly string[] ZtfFields =
    [
        "schemavsn", "publisher", "objectId", "candid", "candidate", "prv_candidates", "fp_hists",
        "cutoutScience", "cutoutTemplate", "cutoutDifference",
    ];

    /// <summary>Rubin's alert record fields, as lsst.v9_0..v10_0 name them (those a file has are kept).</summary>
    private static readonly string[] RubinFields =
    [
        "diaSourceId", "observation_reason", "target_name", "diaSource", "prvDiaSources", "prvDiaForcedSources",
        "prvDiaNondetectionLimits", "diaObject", "ssObject", "ssSource", "mpc_orbits", "cutoutDifference", "cutoutScience",
        "cutoutTemplate",
    ];

    private static readonly string[] Cutouts = ["cutoutScience", "cutoutTemplate", "cutoutDifference"];

    /// <summary>How many rows the file holds (from its footer).</summary>
    public static long Count(string path)
    {
        using var file = new ParquetFileReader(path);
        return file.FileMetaData.NumRows;
    }

    /// <summary>The file's alerts as alert messages, or one problem item saying why the file has none.</summary>
    public static IEnumerable<SourceItem> Read(string path)
    {
        var (opened, layout, problem) = Open(path);
        if (problem is not null)
        {
            yield return SourceItem.Failed(path, SourceFormat.FinkParquet, problem);
            yield break;
        }

        using var reader = opened!;
        foreach (var item in Rows(path, reader, layout!))
        {
            yield return item;
        }
    }

    private static (FileReader? Reader, Layout? Layout, string? Problem) Open(string path)
    {
        FileReader? reader = null;
        try
        {
            reader = new FileReader(path);
            var layout = Describe(reader);
            if (layout.Problem is { } problem)
            {
                return (null, null, problem);
            }

            var opened = reader;
            reader = null;
            return (opened, layout, null);
        }
        catch (ParquetException e)
        {
            return (null, null, $"not a readable Parquet file ({FirstLine(e.Message)})");
        }
        catch (Exception e) when (e is AvroSchemaException or NotSupportedException)
        {
            return (null, null, $"its schema cannot be read as an alert's ({FirstLine(e.Message)})");
        }
        finally
        {
            reader?.Dispose();
        }
    }

    private sealed record Layout(string Survey, IReadOnlyList<Field> Fields, string IdField, int[] Leaves, bool HasVersion, string? Problem);

    private static Layout Describe(FileReader reader)
    {
        var fields = reader.Schema.FieldsList;
        var names = fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var (survey, wanted, idField) = names.Contains("candidate") ? ("ZTF", ZtfFields, "candid")
            : names.Contains("diaSource") ? ("Rubin", RubinFields, "diaSourceId")
            : (string.Empty, System.Array.Empty<string>(), string.Empty);
        if (survey.Length == 0)
        {
            return new Layout("?", [], idField, [], false, $"neither a ZTF alert table (no 'candidate' column) nor a Rubin one (no 'diaSource' column); columns: {string.Join(", ", fields.Take(8).Select(c => c.Name))}{(fields.Count > 8 ? ", ..." : string.Empty)}");
        }

        var missing = Cutouts.Where(c => !names.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            return new Layout(survey, [], idField, [], false, $"{survey} alerts without cutout columns ({string.Join(", ", missing)} missing): the alerts cannot be rebuilt with their images");
        }

        // ParquetSharp selects by leaf column: each wanted field's range of leaves (and the schema version's, for Rubin).
        var hasVersion = survey == "Rubin" && names.Contains("lsst_schema_version");
        var leaves = new List<int>();
        var leaf = 0;
        foreach (var field in fields)
        {
            var n = ArrowAvro.Leaves(field.DataType);
            if (wanted.Contains(field.Name) || (hasVersion && field.Name == "lsst_schema_version"))
            {
                leaves.AddRange(Enumerable.Range(leaf, n));
            }

            leaf += n;
        }

        // The schema is derived here once so that a file whose types have no Avro form is reported before any row.
        List<Field> kept = [.. wanted.Where(names.Contains).Select(n => fields.First(f => f.Name == n))];
        _ = AvroSchema.Parse(ArrowAvro.Record("alert", kept).ToJsonString());
        return new Layout(survey, kept, idField, [.. leaves], hasVersion, null);
    }

    private static IEnumerable<SourceItem> Rows(string path, FileReader reader, Layout layout)
    {
        IArrowArrayStream batches;
        try
        {
            batches = reader.GetRecordBatchReader(columns: layout.Leaves);
        }
        catch (ParquetException e)
        {
            return [SourceItem.Failed(path, SourceFormat.FinkParquet, $"its row groups cannot be read ({FirstLine(e.Message)})")];
        }

        return Rows(path, batches, layout);
    }

    private static IEnumerable<SourceItem> Rows(string path, IArrowArrayStream stream, Layout layout)
    {
        using var batches = stream;
        RecordSchema? schema = null;
        string? schemaJson = null;
        var file = Path.GetFileName(path);
        var sync = new byte[ContainerFile.SyncSize];
        var buffer = new ArrayBufferWriter<byte>();
        var row = 0;
        while (true)
        {
            var (batch, corrupt) = NextBatch(batches);
            if (corrupt is not null)
            {
                // The rows before stay read; what follows a corrupt page cannot be told apart, so it is one problem.
                yield return SourceItem.Failed(path, SourceFormat.FinkParquet, $"rows from {row} on cannot be read ({FirstLine(corrupt)})");
                yield break;
            }

            if (batch is null)
            {
                yield break;
            }

            using var owner = batch;
            if (schema is null)
            {
                // Rubin's record is named after the schema the alerts were written with (lsst.v10_0.alert), which Fink
                // keeps in a column; the adapter reports it as the alert's schema version.
                var recordName = layout.Survey == "ZTF" ? "ztf.alert" : (layout.HasVersion ? RubinRecordName(batch) : null) ?? "lsst.alert";
                schemaJson = ArrowAvro.Record(recordName, layout.Fields).ToJsonString();
                schema = (RecordSchema)AvroSchema.Parse(schemaJson);
            }

            var columns = layout.Fields.Select(f => batch.Column(batch.Schema.GetFieldIndex(f.Name))).ToArray();
            // A table without the id column (not Fink's layout, but readable) names its rows by number only.
            var idAt = layout.Fields.ToList().FindIndex(f => f.Name == layout.IdField);
            var id = idAt >= 0 ? columns[idAt] : null;

            for (var i = 0; i < batch.Length; i++, row++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"{file}#{row} {layout.IdField} {IdText(id, i)}");
                byte[]? message = null;
                string? problem = null;
                try
                {
                    buffer.Clear();
                    var writer = new AvroWriter(buffer);
                    for (var f = 0; f < columns.Length; f++)
                    {
                        ArrowAvro.Write(writer, schema.Fields[f].Schema, columns[f], i);
                    }

                    message = ContainerFileWriter.WriteEncoded(schemaJson!, [buffer.WrittenMemory], "null", 1, sync);
                }
                catch (Exception e) when (e is NotSupportedException or InvalidCastException or FormatException or OverflowException)
                {
                    problem = $"row {row} cannot be rebuilt ({e.Message})";
                }

                yield return new SourceItem(path, name, SourceFormat.FinkParquet, message, problem) { Detail = "Fink Parquet" };
            }
        }
    }

    /// <summary>The next batch, null at the end, or the reason the file's pages could not be decoded.</summary>
    private static (RecordBatch? Batch, string? Corrupt) NextBatch(IArrowArrayStream batches)
    {
        try
        {
            return (batches.ReadNextRecordBatchAsync().AsTask().GetAwaiter().GetResult(), null);
        }
        catch (ParquetException e)
        {
            return (null, e.Message);
        }
#pragma warning disable CA1031 // Arrow's C stream importer raises a plain Exception carrying the native reader's message.
        catch (Exception e) when (e.GetType() == typeof(Exception))
#pragma warning restore CA1031
        {
            return (null, e.Message);
        }
    }

    private static string? RubinRecordName(RecordBatch batch)
    {
        if (batch.Column("lsst_schema_version") is not StringArray versions || batch.Length == 0 || versions.IsNull(0))
        {
            return null;
        }

        var version = versions.GetString(0);
        return version is { Length: > 6 and < 40 } && version.StartsWith("lsst.v", StringComparison.Ordinal)
            && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.') ? version + ".alert" : null;
    }

    private static string IdText(IArrowArray? id, int i) => id switch
    {
        null => "?",
        _ when id.IsNull(i) => "?",
        Int64Array l => l.GetValue(i)!.Value.ToString(CultureInfo.InvariantCulture),
        Int32Array n => n.GetValue(i)!.Value.ToString(CultureInfo.InvariantCulture),
        StringArray s => s.GetString(i),
        _ => "?",
    };

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
