// Reads archived alerts back: each record of an archive file split into the original alert message (the survey
// record without `broker`, as a one-record container file with the input schema from the file's metadata) and the
// annotation it was published with. What replays, --compare and recovery read.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro;
using Broker.Avro.Container;
using Broker.Avro.Generic;
using Broker.Avro.Schema;
using Broker.Engine.Annotation;
using Broker.Filters;

namespace Broker.Archive;

/// <summary>
/// One archived alert: where it is, the original alert message, the annotation it was published with, and the
/// subscriptions that were in force (null for a file that does not say).
/// </summary>
public sealed record ArchivedAlert(string Part, int Record, byte[] Message, RecordedAnnotation Recorded, IReadOnlyList<FilterDefinition>? Filters);

public static class ArchiveReader
{
    /// <summary>Every archived alert of a night, file by file in name order.</summary>
    public static IEnumerable<ArchivedAlert> ReadNight(string root, string survey, string night)
    {
        var parts = ArchiveLayout.Parts(root, survey, night);
        if (parts.Count == 0)
        {
            throw new ArchiveException($"{ArchiveLayout.NightFolder(root, survey, night)}: no archived alerts (nights here: {string.Join(", ", ArchiveLayout.Nights(root).Select(n => $"{n.Survey} {n.Night}").DefaultIfEmpty("none"))}).");
        }

        return parts.SelectMany(ReadPart);
    }

    /// <summary>The alerts of one archive file: its bytes are read whole (at most archive.part_mib), its records block by block.</summary>
    public static IEnumerable<ArchivedAlert> ReadPart(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        ContainerHeader header;
        try
        {
            bytes = File.ReadAllBytes(path);
            header = ContainerFile.ReadHeader(bytes);
        }
        catch (Exception e) when (e is AvroDecodeException or AvroSchemaException)
        {
            throw new ArchiveException($"{path}: not a readable archive file ({e.Message}).", e);
        }

        if (!header.Metadata.TryGetValue(ArchivePart.InputSchemaKey, out var inputSchema))
        {
            throw new ArchiveException($"{path}: an Avro file without '{ArchivePart.InputSchemaKey}' metadata is not an archive file.");
        }

        IReadOnlyList<FilterDefinition>? filters = null;
        if (header.Metadata.TryGetValue(ArchivePart.FiltersKey, out var filterJson))
        {
            try
            {
                filters = JsonSerializer.Deserialize<List<FilterDefinition>>(filterJson, FilterDefinition.Json);
            }
            catch (JsonException e)
            {
                throw new ArchiveException($"{path}: its '{ArchivePart.FiltersKey}' metadata is not a list of filter definitions ({e.Message}).", e);
            }
        }

        return Records(path, bytes, header, Encoding.UTF8.GetString(inputSchema), filters);
    }

    private static IEnumerable<ArchivedAlert> Records(string path, byte[] bytes, ContainerHeader header, string inputJson, IReadOnlyList<FilterDefinition>? filters)
    {
        // Messages rebuilt from one file share a sync marker derived from its name: the same archive gives the same bytes.
        var name = Path.GetFileName(path);
        var sync = SHA256.HashData(Encoding.UTF8.GetBytes(name))[..ContainerFile.SyncSize];
        using var records = ContainerFile.ReadRecords(bytes, header).GetEnumerator();
        for (var i = 0; ; i++)
        {
            try
            {
                if (!records.MoveNext())
                {
                    yield break;
                }
            }
            catch (AvroDecodeException e)
            {
                throw new ArchiveException($"{path}: record {i} is unreadable ({e.Message}); a file left open by a crash is repaired when its writer starts again (or `ArchiveRecovery`).", e);
            }

            var (value, datum) = records.Current;
            var record = value.AsRecord();
            var broker = record[AnnotationSchema.FieldName];
            var recorded = AnnotationReader.FromOutput(record);

            // The annotation is the record's last field: the alert's own bytes are everything before it.
            var annotationLength = GenericWriter.Encode(AnnotationSchema.Annotation, broker).Length;
            var message = ContainerFileWriter.WriteEncoded(inputJson, [datum[..(datum.Length - annotationLength)]], "null", 1, sync);
            yield return new ArchivedAlert(name, i, message, recorded, filters);
        }
    }

    /// <summary>
    /// The records of a file still being written (no index yet), up to its last whole block: a header not written
    /// yet gives none, and an unreadable tail is the writer's next block, not damage.
    /// </summary>
    public static IEnumerable<ArchivedAlert> ReadOpenPart(string path)
    {
        IEnumerator<ArchivedAlert> records;
        try
        {
            records = ReadPart(path).GetEnumerator();
        }
        catch (ArchiveException)
        {
            yield break;
        }

        using (records)
        {
            while (true)
            {
                try
                {
                    if (!records.MoveNext())
                    {
                        yield break;
                    }
                }
                catch (ArchiveException)
                {
                    yield break;
                }

                yield return records.Current;
            }
        }
    }

    /// <summary>The index rows of one archive file, rebuilt from its records (recovery, and files whose index is missing).</summary>
    public static IReadOnlyList<IndexRow> IndexRows(string path)
    {
        var decoder = new AlertDecoder(decodeCutouts: false);
        var rows = new List<IndexRow>();
        foreach (var archived in ReadPart(path))
        {
            var alert = decoder.Decode(archived.Message)[0];
            var night = ObservingNight.Name(ObservingNight.Of(alert.Survey, alert.Mjd));
            rows.Add(IndexRow.Of(alert, night, archived.Recorded.Annotation, archived.Recorded.PublishTimeMs) with { Part = archived.Part, Record = archived.Record });
        }

        return rows;
    }
}

/// <summary>An archive (or a night in it) that cannot be read: says which and why.</summary>
public sealed class ArchiveException : Exception
{
    public ArchiveException(string message) : base(message) { }

    public ArchiveException(string message, Exception inner) : base(message, inner) { }

    public ArchiveException() { }
}
