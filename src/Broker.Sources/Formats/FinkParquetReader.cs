// Parquet files of alerts in Fink's layouts, ZTF and Rubin, across Fink's versions: its Data Transfer export
// (Rubin, lsst.v10_0 columns), its science and filter modules' test data and online samples (ZTF, with the
// survey's field order and types, or alphabetical with every number a double after a pandas round trip). The
// survey is read from the columns (candidate: ZTF; diaSource: Rubin) and the record's schema from the file's own
// schema (ParquetAvroSchema), so no avro_schema_*.json sidecar is needed. Each row becomes the survey's alert
// record again (its alert fields only: Fink's classifiers and cross-matches are not the survey's alert), written
// as a one-record Avro container file: what the decoder reads from any container-file alert. Rows are streamed in
// file order (DuckDB reads a row group at a time), so memory is bounded by a row group, not by the file.
using System.Buffers;
using System.Collections;
using System.Globalization;
using Broker.Avro;
using Broker.Avro.Binary;
using Broker.Avro.Container;
using Broker.Avro.Schema;
using DuckDB.NET.Data;

namespace Broker.Sources.Formats;

internal sealed class FinkParquetReader : IDisposable
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

    private DuckDBConnection? _db;

    /// <summary>How many rows the file holds (from its footer).</summary>
    public long Count(string path)
    {
        using var command = Db.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM read_parquet({Literal(path)})";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The file's alerts as alert messages, or one problem item saying why the file has none.</summary>
    public IEnumerable<SourceItem> Read(string path)
    {
        Layout layout;
        try
        {
            layout = Describe(path);
        }
        catch (Exception e) when (e is DuckDBException or FormatException or AvroSchemaException)
        {
            return [SourceItem.Failed(path, SourceFormat.FinkParquet, $"not a readable Parquet file ({FirstLine(e.Message)})")];
        }

        return layout.Problem is { } problem ? [SourceItem.Failed(path, SourceFormat.FinkParquet, problem)] : Rows(path, layout);
    }

    public void Dispose() => _db?.Dispose();

    private DuckDBConnection Db
    {
        get
        {
            if (_db is null)
            {
                _db = new DuckDBConnection("DataSource=:memory:");
                _db.Open();
            }

            return _db;
        }
    }

    private sealed record Layout(string Survey, RecordSchema? Schema, string? SchemaJson, string IdField, string? Problem);

    private Layout Describe(string path)
    {
        var columns = new List<(string Name, string Type)>();
        using (var describe = Db.CreateCommand())
        {
            describe.CommandText = $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet({Literal(path)}))";
            using var reader = describe.ExecuteReader();
            while (reader.Read())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var (survey, wanted, idField) = names.Contains("candidate") ? ("ZTF", ZtfFields, "candid")
            : names.Contains("diaSource") ? ("Rubin", RubinFields, "diaSourceId")
            : (string.Empty, Array.Empty<string>(), string.Empty);
        if (survey.Length == 0)
        {
            return new Layout("?", null, null, idField, $"neither a ZTF alert table (no 'candidate' column) nor a Rubin one (no 'diaSource' column); columns: {string.Join(", ", columns.Take(8).Select(c => c.Name))}{(columns.Count > 8 ? ", ..." : string.Empty)}");
        }

        var missing = Cutouts.Where(c => !names.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            return new Layout(survey, null, null, idField, $"{survey} alerts without cutout columns ({string.Join(", ", missing)} missing): the alerts cannot be rebuilt with their images");
        }

        var recordName = survey == "ZTF" ? "ztf.alert" : RubinRecordName(path, names);
        var json = ParquetAvroSchema.Record(recordName, wanted.Where(names.Contains).Select(n => (n, columns.First(c => c.Name == n).Type))).ToJsonString();
        return new Layout(survey, (RecordSchema)AvroSchema.Parse(json), json, idField, null);
    }

    // Rubin's record is named after the schema the alerts were written with (lsst.v10_0.alert), which Fink keeps in
    // a column; the adapter reports it as the alert's schema version.
    private string RubinRecordName(string path, HashSet<string> names)
    {
        if (!names.Contains("lsst_schema_version"))
        {
            return "lsst.alert";
        }

        using var probe = Db.CreateCommand();
        probe.CommandText = $"SELECT any_value(lsst_schema_version) FROM read_parquet({Literal(path)})";
        var version = probe.ExecuteScalar() as string;
        return version is { Length: > 6 and < 40 } && version.StartsWith("lsst.v", StringComparison.Ordinal)
            && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.') ? version + ".alert" : "lsst.alert";
    }

    private IEnumerable<SourceItem> Rows(string path, Layout layout)
    {
        var schema = layout.Schema!;
        var fields = schema.Fields;
        using var command = Db.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", fields.Select(f => '"' + f.Name + '"'))} FROM read_parquet({Literal(path)})";
        using var reader = command.ExecuteReader();
        var idIndex = fields.ToList().FindIndex(f => f.Name == layout.IdField);
        var file = Path.GetFileName(path);
        var sync = new byte[ContainerFile.SyncSize];
        var buffer = new ArrayBufferWriter<byte>();
        for (var row = 0; reader.Read(); row++)
        {
            var id = idIndex >= 0 && !reader.IsDBNull(idIndex) ? Convert.ToString(reader.GetValue(idIndex), CultureInfo.InvariantCulture) : "?";
            var name = string.Create(CultureInfo.InvariantCulture, $"{file}#{row} {layout.IdField} {id}");
            byte[]? message = null;
            string? problem = null;
            try
            {
                buffer.Clear();
                var writer = new AvroWriter(buffer);
                for (var i = 0; i < fields.Count; i++)
                {
                    ParquetAvroEncoder.Write(writer, fields[i].Schema, reader.IsDBNull(i) ? null : reader.GetValue(i), fields[i].Name);
                }

                message = ContainerFileWriter.WriteEncoded(layout.SchemaJson!, [buffer.WrittenMemory], "null", 1, sync);
            }
            catch (ParquetValueException e)
            {
                problem = e.Message;
            }

            yield return new SourceItem(path, name, SourceFormat.FinkParquet, message, problem) { Detail = "Fink Parquet" };
        }
    }

    private static string Literal(string path) => "'" + Path.GetFullPath(path).Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}

/// <summary>A Parquet value that does not fit the record's schema: the row is reported, not dropped silently.</summary>
internal sealed class ParquetValueException(string message) : Exception(message)
{
    public ParquetValueException() : this("a Parquet value does not fit its Avro type") { }

    public ParquetValueException(string message, Exception inner) : this(message + " " + inner.Message) { }
}

/// <summary>
/// DuckDB's .NET values (dictionaries for structs, lists, maps, boxed numbers, byte arrays or streams) written as
/// Avro binary of a schema, straight into the writer: no intermediate Avro values (a deep-field Rubin alert carries
/// tens of thousands of history values).
/// </summary>
internal static class ParquetAvroEncoder
{
    public static void Write(AvroWriter w, AvroSchema schema, object? value, string path)
    {
        if (value is null or DBNull)
        {
            if (schema is UnionSchema { NullBranch: >= 0 } nullable)
            {
                w.WriteLong(nullable.NullBranch);
                return;
            }

            throw new ParquetValueException($"{path}: null, but the schema does not allow null.");
        }

        switch (schema)
        {
            case UnionSchema u:
                {
                    var branch = u.NullBranch == 0 ? 1 : 0;
                    w.WriteLong(branch);
                    Write(w, u.Branches[branch], value, path);
                    return;
                }

            case RecordSchema r when value is IDictionary<string, object?> d:
                foreach (var f in r.Fields)
                {
                    Write(w, f.Schema, d.TryGetValue(f.Name, out var v) ? v : null, f.Name);
                }

                return;
            case ArraySchema a when value is IList list:
                if (list.Count > 0)
                {
                    w.WriteLong(list.Count);
                    for (var i = 0; i < list.Count; i++)
                    {
                        Write(w, a.Items, list[i], path);
                    }
                }

                w.WriteLong(0);
                return;
            case MapSchema m when value is IDictionary map:
                if (map.Count > 0)
                {
                    w.WriteLong(map.Count);
                    foreach (DictionaryEntry entry in map)
                    {
                        w.WriteString(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!);
                        Write(w, m.Values, entry.Value, path);
                    }
                }

                w.WriteLong(0);
                return;
        }

        var inv = CultureInfo.InvariantCulture;
        try
        {
            switch (schema.Type)
            {
                case AvroType.Boolean:
                    w.WriteBoolean(Convert.ToBoolean(value, inv));
                    return;
                case AvroType.Int:
                    w.WriteInt(Convert.ToInt32(value, inv));
                    return;
                case AvroType.Long:
                    w.WriteLong(Convert.ToInt64(value, inv));
                    return;
                case AvroType.Float:
                    w.WriteFloat(Convert.ToSingle(value, inv));
                    return;
                case AvroType.Double:
                    w.WriteDouble(Convert.ToDouble(value, inv));
                    return;
                case AvroType.String:
                    w.WriteString(Convert.ToString(value, inv)!);
                    return;
                case AvroType.Bytes:
                    w.WriteBytes(Bytes(value, path));
                    return;
                default:
                    throw new ParquetValueException($"{path}: a {value.GetType().Name} for Avro type {schema.Type}.");
            }
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new ParquetValueException($"{path}: a {value.GetType().Name} that is not a {schema.Type} ({e.Message}).");
        }
    }

    private static byte[] Bytes(object value, string path)
    {
        switch (value)
        {
            case byte[] bytes:
                return bytes;
            case Stream stream:
                using (var copy = new MemoryStream())
                {
                    stream.CopyTo(copy);
                    return copy.ToArray();
                }

            default:
                throw new ParquetValueException($"{path}: a {value.GetType().Name} where bytes were expected.");
        }
    }
}
