// The alert source every command opens: Broker.Sources' formats plus the night archive's own files.
using Broker.Sources;

namespace Broker.Archive;

public static class AlertSources
{
    /// <summary>A source over <paramref name="paths"/> that also reads archive files; throws <see cref="SourcePathException"/> for a path that names nothing.</summary>
    public static AlertSource Open(IEnumerable<string> paths, string? schemaFile = null) =>
        new(paths, new AlertSourceOptions { SchemaFile = schemaFile, Formats = [ArchiveAlertFormat.Instance] });
}
