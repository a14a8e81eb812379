// Where things are in an archive, in one place:
//   <root>/<survey>/<night>/<writer>-<seq>.avro      the published records (Avro container file, one schema each)
//   <root>/<survey>/<night>/<writer>-<seq>.parquet   its index (written when the file closes, or by recovery)
//   <root>/<survey>/snapshots/<id>.snapshot          every novelty snapshot an archived annotation names
// survey is ztf or rubin; night is yyyy-MM-dd by ObservingNight (ZTF: the Palomar night; Rubin: dayObs).
using System.Globalization;

namespace Broker.Archive;

public static class ArchiveLayout
{
    public const string PartExtension = ".avro";
    public const string IndexExtension = ".parquet";
    public const string SnapshotExtension = ".snapshot";

    public static string NightFolder(string root, string survey, string night) => Path.Combine(root, survey, night);

    public static string SnapshotFolder(string root, string survey) => Path.Combine(root, survey, "snapshots");

    public static string SnapshotPath(string root, string survey, string id) => Path.Combine(SnapshotFolder(root, survey), id + SnapshotExtension);

    public static string IndexOf(string part) => Path.ChangeExtension(part, IndexExtension);

    /// <summary>The night's data files in name order (writer, then sequence).</summary>
    public static IReadOnlyList<string> Parts(string root, string survey, string night)
    {
        var folder = NightFolder(root, survey, night);
        return Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*" + PartExtension).Order(StringComparer.Ordinal)] : [];
    }

    /// <summary>Every (survey, night) the archive holds, in order.</summary>
    public static IReadOnlyList<(string Survey, string Night)> Nights(string root)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories(root)
            .SelectMany(s => Directory.EnumerateDirectories(s).Select(n => (Survey: Path.GetFileName(s), Night: Path.GetFileName(n))))
            .Where(x => DateOnly.TryParseExact(x.Night, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            .Order()];
    }

    /// <summary>The next free file of <paramref name="writer"/> in a night's folder.</summary>
    public static string NextPart(string nightFolder, string writer)
    {
        var prefix = writer + "-";
        var last = Directory.Exists(nightFolder)
            ? Directory.EnumerateFiles(nightFolder, prefix + "*" + PartExtension)
                .Select(f => Path.GetFileNameWithoutExtension(f)[prefix.Length..])
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                .DefaultIfEmpty(0).Max()
            : 0;
        return Path.Combine(nightFolder, string.Create(CultureInfo.InvariantCulture, $"{prefix}{last + 1:D5}{PartExtension}"));
    }

    /// <summary>True when <paramref name="part"/> was written by <paramref name="writer"/>.</summary>
    public static bool IsWriters(string part, string writer)
    {
        var name = Path.GetFileNameWithoutExtension(part);
        return name.Length > writer.Length + 1 && name.StartsWith(writer + "-", StringComparison.Ordinal)
            && name[(writer.Length + 1)..].All(char.IsAsciiDigit);
    }
}
