// Watches a directory of filter files and keeps the set in force up to date without a restart. A file that is
// added or changed is compiled; if it compiles it replaces its previous version, if not the error (with line and
// column) is logged and shown in the status, and the previous version, or none, stays in force. A removed file's
// filter stops. Change events are debounced, and a periodic rescan catches what the file watcher misses (editors
// that replace files, network file systems).
using Broker.Filters.Language;
using Microsoft.Extensions.Logging;

namespace Broker.Filters;

/// <summary>What became of one filter file at the last scan.</summary>
public sealed record FilterFileStatus(string Path, string? Name, bool Active, string? Error);

public sealed partial class FilterDirectory : IDisposable
{
    private readonly string _path;
    private readonly Func<IReadOnlyList<ExpressionFilter>, IReadOnlyDictionary<string, string>> _apply;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;
    private readonly TimeSpan _rescan;
    private List<ExpressionFilter> _applied = [];
    private IReadOnlyDictionary<string, string> _refused = new Dictionary<string, string>();

    /// <param name="apply">
    /// Called with the whole new set after every scan that changed it (never concurrently); returns the filters it
    /// did not put in force, by name, with the reason, which the status then reports for their files.
    /// </param>
    public FilterDirectory(string path, Func<IReadOnlyList<ExpressionFilter>, IReadOnlyDictionary<string, string>> apply, ILogger log, TimeSpan? rescan = null)
    {
        _path = System.IO.Path.GetFullPath(path);
        _apply = apply;
        _log = log;
        _rescan = rescan ?? TimeSpan.FromSeconds(2);
        Directory.CreateDirectory(_path);
        Scan();
        _timer = new Timer(_ => ScanSafely(), null, _rescan, _rescan);
        _watcher = new FileSystemWatcher(_path, "*" + FilterFile.Extension) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
        _watcher.Changed += (_, _) => Soon();
        _watcher.Created += (_, _) => Soon();
        _watcher.Deleted += (_, _) => Soon();
        _watcher.Renamed += (_, _) => Soon();
        _watcher.EnableRaisingEvents = true;
    }

    public string Path => _path;

    public IReadOnlyList<FilterFileStatus> Status
    {
        get
        {
            lock (_gate)
            {
                var winners = Winners();
                return [.. _entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e =>
                {
                    var winner = e.Value.Filter is { } f && winners[f.Name] == e.Key;
                    var refusal = winner && _refused.TryGetValue(e.Value.Filter!.Name, out var why) ? why : null;
                    var error = e.Value.Error
                        ?? (e.Value.Filter is { } g && !winner ? $"another file ({winners[g.Name]}) already defines filter '{g.Name}'" : refusal);
                    return new FilterFileStatus(e.Key, e.Value.Filter?.Name, winner && refusal is null, error);
                })];
            }
        }
    }

    /// <summary>Scans now: compiles what changed since the last scan and applies the set if it changed.</summary>
    public void Scan()
    {
        lock (_gate)
        {
            var present = Directory.Exists(_path)
                ? Directory.EnumerateFiles(_path, "*" + FilterFile.Extension).Order(StringComparer.Ordinal).ToList()
                : [];
            foreach (var gone in _entries.Keys.Except(present).ToList())
            {
                LogRemoved(_log, gone, _entries[gone].Filter?.Name ?? "(none)");
                _entries.Remove(gone);
            }

            foreach (var file in present)
            {
                Load(file);
            }

            // Two files defining one name: the first in path order has it (decided again at every scan, so removing
            // the first lets the second take over).
            var winners = Winners();
            List<ExpressionFilter> inForce = [.. _entries.Where(e => e.Value.Filter is { } f && winners[f.Name] == e.Key).Select(e => e.Value.Filter!).OrderBy(f => f.Name, StringComparer.Ordinal)];
            if (!inForce.SequenceEqual(_applied))
            {
                _applied = inForce;
                _refused = _apply(inForce);
            }
        }
    }

    private Dictionary<string, string> Winners()
    {
        var winners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, entry) in _entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (entry.Filter is { } filter)
            {
                winners.TryAdd(filter.Name, file);
            }
        }

        return winners;
    }

    private void Load(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (IOException)
        {
            return; // being written or just removed: the next scan sees it
        }
        catch (UnauthorizedAccessException e)
        {
            _entries[file] = (_entries.GetValueOrDefault(file) ?? new Entry()) with { Error = e.Message };
            return;
        }

        var previous = _entries.GetValueOrDefault(file);
        if (previous is not null && previous.Text == text)
        {
            return;
        }

        try
        {
            var filter = FilterFile.Compile(text, System.IO.Path.GetFileNameWithoutExtension(file));
            _entries[file] = new Entry { Text = text, Filter = filter };
            LogLoaded(_log, file, filter.Name, filter.Compiled.Canonical);
        }
        catch (Exception e) when (e is FilterException or FilterDefinitionException)
        {
            // Keep the previous version in force; remember the text so the same bad text is not re-reported.
            _entries[file] = new Entry { Text = text, Filter = previous?.Filter, Error = e.Message };
            LogRejected(_log, file, e.Message, previous?.Filter is null ? "none" : "the previous version");
        }
    }

    /// <summary>A scan from the timer: whatever goes wrong is logged, never thrown on a thread-pool thread.</summary>
    private void ScanSafely()
    {
        try
        {
            Scan();
        }
#pragma warning disable CA1031 // a failing scan (file system, topic creation) must not stop the broker; the next one retries
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogScanFailed(_log, _path, e.Message);
        }
    }

    private void Soon()
    {
        try
        {
            _timer.Change(TimeSpan.FromMilliseconds(150), _rescan);
        }
        catch (ObjectDisposedException)
        {
            // an event that arrived while stopping
        }
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }

    private sealed record Entry
    {
        public string? Text { get; init; }

        public ExpressionFilter? Filter { get; init; }

        public string? Error { get; init; }
    }

    // "compiled", not "in force": whether it goes in force is decided next (a name clash or a missing topic refuses it,
    // and FilterActivation logs the set that is in force).
    [LoggerMessage(Level = LogLevel.Information, Message = "Filter file {File}: filter {Name} compiled: {Expression}")]
    private static partial void LogLoaded(ILogger logger, string file, string name, string expression);

    [LoggerMessage(Level = LogLevel.Error, Message = "Filter file {File} rejected: {Error}; in force instead: {Kept}")]
    private static partial void LogRejected(ILogger logger, string file, string error, string kept);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scanning filter directory {Path} failed: {Error}; retrying at the next scan")]
    private static partial void LogScanFailed(ILogger logger, string path, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Filter file {File} removed: filter {Name} stopped")]
    private static partial void LogRemoved(ILogger logger, string file, string name);
}
