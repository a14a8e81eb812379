// Reads archived alerts back: each record of an archive file split into the original alert message (the survey
// record without `broker`, as a one-record container file with the input schema from the file's metadata) and the
// annotation it was published with. What replays, --compare and recovery read.
using System.Security.Cryptography;
using System.Text;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro;
using Broker.Avro.Container;
using Broker.Avro.Generic;
using Broker.Pipeline.Annotation;

namespace Broker.Archive;

/// <summary>One archived alert: where it is, the original alert message, and the annotation it was published with.</summary>
public sealed record ArchivedAlert(string Part, int Record, byte[] Message, RecordedAnnotation Recorded);

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

    /// <summary>The alerts of one archive file (read whole: files are at most archive.part_mib).</summary>
    public static IEnumerable<ArchivedAlert> ReadPart(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ContainerContents contents;
        try
        {
            contents = ContainerFile.Read(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is AvroDecodeException or AvroSchemaException)
        {
            throw new ArchiveException($"{path}: not a readable archive file ({e.Message}).", e);
        }

        if (!contents.Header.Metadata.TryGetValue(ArchivePart.InputSchemaKey, out var inputSchema))
        {
            throw new ArchiveException($"{path}: an Avro file without '{ArchivePart.InputSchemaKey}' metadata is not an archive file.");
        }

        var inputJson = Encoding.UTF8.GetString(inputSchema);

        // Messages rebuilt from one file share a sync marker derived from its name: the same archive gives the same bytes.
        var sync = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFileName(path)))[..ContainerFile.SyncSize];
        var name = Path.GetFileName(path);
        for (var i = 0; i < contents.Records.Count; i++)
        {
            var record = contents.Records[i].AsRecord();
            var broker = record[AnnotationSchema.FieldName];
            var recorded = AnnotationReader.FromOutput(record);

            // The annotation is the record's last field: the alert's own bytes are everything before it.
            var annotationLength = GenericWriter.Encode(AnnotationSchema.Annotation, broker).Length;
            var datum = contents.Datums[i];
            var message = ContainerFileWriter.WriteEncoded(inputJson, [datum[..(datum.Length - annotationLength)]], "null", 1, sync);
            yield return new ArchivedAlert(name, i, message, recorded);
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
