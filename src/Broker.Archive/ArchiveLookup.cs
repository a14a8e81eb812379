// Finds an alert in a night archive by its id, as it was published: the closed files through their Parquet indexes
// (one DuckDB query over every index, not a scan of the Avro files), the files still being written by reading them
// to their last whole block. What `broker filter explain --archive DIR --alert ID` answers "why was this not sent"
// with: the annotation the live routing saw.
using DuckDB.NET.Data;

namespace Broker.Archive;

public static class ArchiveLookup
{
    /// <summary>Every archived copy of alert <paramref name="alertId"/> (usually one), in file order.</summary>
    public static IReadOnlyList<ArchivedAlert> Find(string root, long alertId)
    {
        ArgumentNullException.ThrowIfNull(root);
        var found = new List<ArchivedAlert>();
        var parts = ArchiveLayout.Nights(root).SelectMany(n => ArchiveLayout.Parts(root, n.Survey, n.Night)).ToLookup(p => File.Exists(ArchiveLayout.IndexOf(p)));
        var indexed = parts[true].ToList();
        if (indexed.Count > 0)
        {
            foreach (var (part, record) in Indexed(indexed, alertId))
            {
                if (ArchiveReader.ReadPart(part).ElementAtOrDefault(record) is { } hit && hit.Recorded.AlertId == alertId)
                {
                    found.Add(hit);
                }
            }
        }

        // Files without an index are being written (or were left by a crash): read them to their last whole block.
        foreach (var part in parts[false])
        {
            found.AddRange(ArchiveReader.ReadOpenPart(part).Where(r => r.Recorded.AlertId == alertId));
        }

        return found;
    }

    // (part path, record) of the alert in the given indexes.
    private static List<(string Part, int Record)> Indexed(IReadOnlyList<string> parts, long alertId)
    {
        var files = string.Join(", ", parts.Select(p => "'" + ArchiveLayout.IndexOf(p).Replace("'", "''", StringComparison.Ordinal) + "'"));
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT part, record, filename FROM read_parquet([{files}], filename = true) WHERE alert_id = $id ORDER BY filename, record";
        command.Parameters.Add(new DuckDBParameter("id", alertId));
        using var reader = command.ExecuteReader();
        var hits = new List<(string, int)>();
        while (reader.Read())
        {
            // The index names its Avro file by name; the file is beside the index.
            var folder = Path.GetDirectoryName(reader.GetString(2))!;
            hits.Add((Path.Combine(folder, reader.GetString(0)), reader.GetInt32(1)));
        }

        return hits;
    }
}
