// A Fink Data Transfer export as a replay source: a folder of Parquet files whose columns follow the survey's alert
// schema plus Fink's own, with the export's Avro schema beside them (avro_schema_*.json). Each row becomes the
// survey's alert record again: the schema's alert fields (diaSourceId, diaSource, prvDiaSources,
// prvDiaForcedSources, diaObject, ssSource, mpc_orbits, the three cutouts: uncompressed FITS bytes) taken from the
// sidecar with their types, values from the row, written as a one-record Avro container file, i.e. what a
// container-file Rubin alert looks like to the decoder. Lost: Fink's additions (classifiers, cross-matches,
// light-curve features, timestamps), which are not the survey's alert; the record is named after
// lsst_schema_version (lsst.v10_0.alert) but its nested record names and the ["type","null"] union order are the
// export's (Spark's), not Rubin's registry schema, so the bytes differ from the Kafka alert's while every value is
// the same. Read with DuckDB (nested columns and maps; Parquet.Net 6.1 could not read this export).
using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Broker.Avro.Container;
using Broker.Avro.Generic;
using Broker.Avro.Schema;
using DuckDB.NET.Data;

namespace Broker.Archive;

public static class FinkParquetSource
{
    /// <summary>The alert record's fields, as Rubin's lsst.v10_0.alert names them (those the export has are kept).</summary>
    private static readonly string[] AlertFields =
    [
        "diaSourceId", "observation_reason", "target_name", "diaSource", "prvDiaSources", "prvDiaForcedSources", "diaObject",
        "ssSource", "mpc_orbits", "cutoutDifference", "cutoutScience", "cutoutTemplate",
    ];

    /// <summary>True for a folder holding Parquet files and the export's Avro schema sidecar.</summary>
    public static bool Is(string path) =>
        Directory.Exists(path) && Directory.EnumerateFiles(path, "*.parquet").Any() && Directory.EnumerateFiles(path, "avro_schema_*.json").Any();

    /// <summary>How many alerts the export holds.</summary>
    public static long Count(string folder)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM read_parquet('{Glob(folder)}')";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The export's alerts as alert messages, in detection time order.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Read(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var sidecar = Directory.EnumerateFiles(folder, "avro_schema_*.json").Order(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new ArchiveException($"{folder}: no avro_schema_*.json beside the Parquet files: the export's alert schema is needed to rebuild the records.");
        using var db = Open();
        string version;
        using (var probe = db.CreateCommand())
        {
            probe.CommandText = $"SELECT any_value(lsst_schema_version) FROM read_parquet('{Glob(folder)}')";
            version = probe.ExecuteScalar() as string ?? "lsst.unknown";
        }

        var (schema, schemaJson) = AlertSchema(sidecar, version);
        var fields = schema.Fields.Select(f => f.Name).ToList();
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", fields.Select(f => '"' + f + '"'))} FROM read_parquet('{Glob(folder)}') ORDER BY diaSource.midpointMjdTai, diaSourceId";
        using var reader = command.ExecuteReader();
        var sync = new byte[ContainerFile.SyncSize];
        while (reader.Read())
        {
            var values = new AvroValue[fields.Count];
            for (var i = 0; i < fields.Count; i++)
            {
                values[i] = ToAvro(schema.Fields[i].Schema, reader.IsDBNull(i) ? null : reader.GetValue(i), fields[i]);
            }

            var record = AvroValue.FromRecord(new AvroRecord(schema, values));
            var id = Convert.ToString(reader.GetValue(fields.IndexOf("diaSourceId")), CultureInfo.InvariantCulture);
            yield return ($"diaSourceId {id}", ContainerFileWriter.WriteEncoded(schemaJson, [GenericWriter.Encode(schema, record)], "null", 1, sync));
        }
    }

    /// <summary>The alert record's schema from the sidecar: its alert fields, named after the export's lsst_schema_version.</summary>
    internal static (RecordSchema Schema, string Json) AlertSchema(string sidecar, string version)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(sidecar))!.AsObject();
        }
        catch (JsonException e)
        {
            throw new ArchiveException($"{sidecar}: not JSON ({e.Message}).", e);
        }

        var fields = new JsonArray();
        foreach (var field in root["fields"]!.AsArray())
        {
            if (AlertFields.Contains((string?)field!["name"]))
            {
                fields.Add(Clean(field.DeepClone()));
            }
        }

        if (!fields.Any(f => (string?)f!["name"] == "diaSource"))
        {
            throw new ArchiveException($"{sidecar}: the export has no diaSource column: not a Rubin alert export.");
        }

        var name = version.StartsWith("lsst.v", StringComparison.Ordinal) && version.Length < 40 ? version + ".alert" : "lsst.alert";
        var json = new JsonObject { ["type"] = "record", ["name"] = name, ["fields"] = fields }.ToJsonString();
        return ((RecordSchema)AvroSchema.Parse(json), json);
    }

    // Drops fastavro's "__..." bookkeeping keys, at any depth.
    private static JsonNode? Clean(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Select(kv => kv.Key).Where(k => k.StartsWith("__", StringComparison.Ordinal)).ToList())
            {
                o.Remove(key);
            }

            foreach (var (_, child) in o.ToList())
            {
                Clean(child);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var child in a)
            {
                Clean(child);
            }
        }

        return node;
    }

    private static AvroValue ToAvro(AvroSchema schema, object? value, string path)
    {
        if (value is null or DBNull)
        {
            return schema is UnionSchema { NullBranch: >= 0 } || schema.Type == AvroType.Null
                ? AvroValue.Null
                : throw new ArchiveException($"{path}: null in the export, but the schema does not allow null.");
        }

        var inv = CultureInfo.InvariantCulture;
        switch (schema)
        {
            case UnionSchema u:
                var branch = u.Branches.First(b => b.Type != AvroType.Null);
                return ToAvro(branch, value, path);
            case RecordSchema r when value is IDictionary<string, object?> d:
                return AvroValue.FromRecord(new AvroRecord(r, [.. r.Fields.Select(f => ToAvro(f.Schema, d.TryGetValue(f.Name, out var v) ? v : null, path + "." + f.Name))]));
            case ArraySchema a when value is IList list:
                return AvroValue.FromArray(new AvroArray([.. list.Cast<object?>().Select((item, i) => ToAvro(a.Items, item, path + "[" + i.ToString(inv) + "]"))]));
            case MapSchema m when value is IDictionary map:
                return AvroValue.FromMap(new AvroMap([.. map.Keys.Cast<object>().Select(k => new KeyValuePair<string, AvroValue>(Convert.ToString(k, inv)!, ToAvro(m.Values, map[k], path + "." + k)))]));
        }

        return schema.Type switch
        {
            AvroType.Boolean => AvroValue.FromBoolean(Convert.ToBoolean(value, inv)),
            AvroType.Int => AvroValue.FromInt(Convert.ToInt32(value, inv)),
            AvroType.Long => AvroValue.FromLong(Convert.ToInt64(value, inv)),
            AvroType.Float => AvroValue.FromFloat(Convert.ToSingle(value, inv)),
            AvroType.Double => AvroValue.FromDouble(Convert.ToDouble(value, inv)),
            AvroType.String => AvroValue.FromString(Convert.ToString(value, inv)!),
            AvroType.Bytes => AvroValue.FromBytes(Bytes(value)),
            _ => throw new ArchiveException($"{path}: a {value.GetType().Name} in the export for Avro type {schema.Type}."),
        };
    }

    private static byte[] Bytes(object value)
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
                throw new ArchiveException($"a {value.GetType().Name} where bytes were expected.");
        }
    }

    private static DuckDBConnection Open()
    {
        var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        return db;
    }

    private static string Glob(string folder) => Path.Combine(Path.GetFullPath(folder), "*.parquet").Replace("'", "''", StringComparison.Ordinal);
}
