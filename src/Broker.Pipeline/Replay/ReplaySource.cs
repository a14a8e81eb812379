// Where recorded alerts come from for a replay: a folder of alert files (*.avro, recursively, in name order), one
// alert file, or a ZTF public nightly tarball (`ztf_public_YYYYMMDD.tar.gz`: a tar of one-alert Avro files; plain
// .tar too), read as a stream (a night is gigabytes; only one entry is in memory at a time).
using System.Formats.Tar;
using System.IO.Compression;
using Broker.Alerts.Decoding;

namespace Broker.Pipeline.Replay;

public static class ReplaySource
{
    /// <summary>The messages of <paramref name="path"/>, in order, each with the name it had there.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            return Files(path);
        }

        if (!File.Exists(path))
        {
            throw new ReplaySourceException($"{path}: no such file or folder.");
        }

        var name = Path.GetFileName(path);
        if (name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tar", StringComparison.OrdinalIgnoreCase))
        {
            return Tarball(path);
        }

        if (name.EndsWith(".avro", StringComparison.OrdinalIgnoreCase))
        {
            return [(name, File.ReadAllBytes(path))];
        }

        throw new ReplaySourceException($"{path}: not a folder of alert files, an .avro file or a .tar.gz of alert files.");
    }

    /// <summary>How many messages <paramref name="path"/> holds when that is cheap to know (a folder, a file); null for a tarball.</summary>
    public static int? Count(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Directory.Exists(path) ? AlertFiles.Expand([path]).Count()
            : path.EndsWith(".avro", StringComparison.OrdinalIgnoreCase) && File.Exists(path) ? 1
            : null;
    }

    private static IEnumerable<(string, byte[])> Files(string folder)
    {
        foreach (var file in AlertFiles.Expand([folder]))
        {
            yield return (Path.GetRelativePath(folder, file), File.ReadAllBytes(file));
        }
    }

    private static IEnumerable<(string, byte[])> Tarball(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) ? file : new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(stream);
        while (Next(tar, path) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null
                || !entry.Name.EndsWith(".avro", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            using var copy = new MemoryStream();
            entry.DataStream.CopyTo(copy);
            yield return (entry.Name, copy.ToArray());
        }
    }

    private static TarEntry? Next(TarReader tar, string path)
    {
        try
        {
            return tar.GetNextEntry();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new ReplaySourceException($"{path}: not a readable tar archive ({e.Message}).", e);
        }
    }
}

/// <summary>A replay source that cannot be read: says which and why.</summary>
public sealed class ReplaySourceException : Exception
{
    public ReplaySourceException(string message) : base(message) { }

    public ReplaySourceException(string message, Exception inner) : base(message, inner) { }

    public ReplaySourceException() { }
}
