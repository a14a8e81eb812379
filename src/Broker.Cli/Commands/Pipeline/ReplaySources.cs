// What `broker replay` reads: each SOURCE is anything Broker.Sources reads (alert files, folders, globs, partitioned
// datasets, Kafka dumps with --schema, ZTF nightly tarballs, Fink Parquet of ZTF or Rubin, archive files);
// --archive ROOT --night N --survey S adds an archived night (its records carry the annotations they were published
// with). One stream of items, read lazily: a night is gigabytes. What a source could not read is written to stderr
// as it is met, one line each, and counted.
using Broker.Archive;
using Broker.Archive.Replay;
using Broker.Sources;

namespace Broker.Cli.Commands.Pipeline;

internal sealed class ReplaySources(IReadOnlyList<string> paths, (string Root, string Survey, string Night)? archived, string? schemaFile)
{
    private readonly AlertSource? _source = paths.Count > 0 ? AlertSources.Open(paths, schemaFile) : null;

    /// <summary>Items of the sources that could not be read (each was reported on stderr).</summary>
    public int Problems { get; private set; }

    public IEnumerable<ReplayItem> Open()
    {
        foreach (var item in _source?.Read() ?? [])
        {
            if (item.Message is null)
            {
                Problems++;
                Console.Error.WriteLine($"skipped: {item.Path} ({item.Name}): {item.Problem}");
                continue;
            }

            yield return new ReplayItem(item.Name, item.Message);
        }

        if (archived is { } a)
        {
            foreach (var alert in ArchiveReader.ReadNight(a.Root, a.Survey, a.Night))
            {
                yield return new ReplayItem($"{alert.Part}#{alert.Record}", alert.Message, alert.Recorded, alert.Filters);
            }
        }
    }

    /// <summary>How many items there are when that is cheap to know (null once a tarball or an archive is among them).</summary>
    public long? Count() => archived is null ? _source?.Count() ?? 0 : null;
}
