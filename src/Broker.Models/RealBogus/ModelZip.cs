// ML.NET saves a model as a zip whose entries carry the time of saving, so two identical trainings give different
// files. The broker's model cards pin a file by sha256, so entries are rewritten with one fixed time (and the
// same order and content): the same data and seed then give the same bytes.
using System.IO.Compression;

namespace Broker.Models.RealBogus;

public static class ModelZip
{
    /// <summary>The time every entry gets: the earliest a zip can record.</summary>
    public static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Normalise(byte[] zip)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                var copy = archive.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = EntryTime;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }
}
