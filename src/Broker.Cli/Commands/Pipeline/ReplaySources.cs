// What `broker replay` reads: each SOURCE is a folder of alert files, an .avro file, a ZTF public nightly tarball,
// or a Fink Data Transfer export (a folder of Parquet files with its avro_schema_*.json); --archive ROOT --night N
// --survey S adds an archived night (its records carry the annotations they were published with). One stream of
// items, read lazily: a night is gigabytes.
using Broker.Archive;
using Broker.Archive.Replay;
using Broker.Pipeline.Replay;

namespace Broker.Cli.Commands.Pipeline;

internal static class ReplaySources
{
    public static IEnumerable<ReplayItem> Open(IReadOnlyList<string> paths, (string Root, string Survey, string Night)? archived)
    {
        foreach (var path in paths)
        {
            var messages = FinkParquetSource.Is(path) ? FinkParquetSource.Read(path) : ReplaySource.Open(path);
            foreach (var (name, bytes) in messages)
            {
                yield return new ReplayItem(name, bytes);
            }
        }

        if (archived is { } a)
        {
            foreach (var alert in ArchiveReader.ReadNight(a.Root, a.Survey, a.Night))
            {
                yield return new ReplayItem($"{alert.Part}#{alert.Record}", alert.Message, alert.Recorded, alert.Filters);
            }
        }
    }

    /// <summary>How many items there are when that is cheap to know (null once a tarball is among them).</summary>
    public static long? Count(IReadOnlyList<string> paths, (string Root, string Survey, string Night)? archived)
    {
        long? total = 0;
        foreach (var path in paths)
        {
            total += FinkParquetSource.Is(path) ? FinkParquetSource.Count(path) : ReplaySource.Count(path);
        }

        return archived is null ? total : null;
    }
}
