// The archive writer: keeps every published alert by survey and observing night (docs/operations.md, "Archive").
// Lanes hand records over with StoreAsync and wait; one loop takes everything that arrived while it was busy (plus
// archive.flush_ms, 0 by default), appends it as one block per open file, fsyncs those files, and only then
// completes the waits (group commit: one fsync per file per commit, not per alert). The pipeline commits an input offset only after that, so an acknowledged
// alert is on disk here. A file closes at archive.part_mib or after archive.idle_close_minutes without writes,
// and its Parquet index is written then; files this writer left open in a crash are repaired (torn tail cut at
// the last whole block) and indexed when it starts again. A disk that refuses writes (full, or below
// archive.min_free_mib) holds the records and their commits, degrades /health and resumes by itself. Every novelty snapshot an annotation names is kept
// under <survey>/snapshots the first time it is seen, before the record that names it is acknowledged.
using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Broker.Alerts.Model;
using Broker.Avro.Schema;
using Broker.Engine.Annotation;
using Broker.Engine.Routing;
using Broker.Engine.Shared;
using Broker.Features.Catalog;
using Broker.Filters;
using Broker.Novelty.Snapshots;
using Microsoft.Extensions.Logging;

namespace Broker.Archive;

public sealed partial class NightArchive : IAlertArchive, IAsyncDisposable
{
    private readonly ArchiveOptions _options;
    private readonly ILogger _log;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<(Survey, string, RecordSchema), ArchivePart> _open = [];
    private readonly ConcurrentDictionary<RecordSchema, (string Extended, string Input)> _schemas = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _snapshots = new(StringComparer.Ordinal);
    private readonly System.Buffers.ArrayBufferWriter<byte> _annotation = new(2048);
    private readonly Task _loop;
    private readonly CancellationTokenSource _stopping = new();
    private Exception? _failure;
    private RefusedSince? _problem;
    private int _disposed;
    private long _stored;
    private IReadOnlyList<IAlertFilter>? _filterList;
    private string _filtersJson = "[]";

    /// <summary>Opens the archive at archive.directory: repairs and indexes this writer's files a crash left open, then accepts records.</summary>
    public NightArchive(ArchiveOptions options, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = log ?? throw new ArgumentNullException(nameof(log));
        Root = options.Directory ?? throw new ArgumentException("archive.directory is not set.", nameof(options));
        Writer = options.Writer ?? WriterName(Environment.MachineName);
        Directory.CreateDirectory(Root);
        Recovered = ArchiveRecovery.Recover(Root, Writer, log);
        _loop = Task.Run(LoopAsync);
    }

    public string Root { get; }

    /// <summary>This writer's name in file names.</summary>
    public string Writer { get; }

    /// <summary>What start-up repaired: files indexed after a crash, and bytes of torn blocks cut off.</summary>
    public RecoveryReport Recovered { get; }

    /// <summary>
    /// The subscriptions in force (the pipeline's): each file records the set it was written under (header metadata
    /// `broker.filters`), and a change of the set closes the open files, so an exact replay matches with the filters
    /// of that time.
    /// </summary>
    public FilterSet? Filters { get; set; }

    /// <summary>Records on disk (acknowledged) since this archive opened.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Why the archive stopped accepting records (a fault other than the disk refusing writes), or null.</summary>
    public string? Failure => Volatile.Read(ref _failure)?.Message;

    /// <summary>Why records wait now (the disk refuses writes: full, below archive.min_free_mib, not writable), or null.</summary>
    public (string Reason, DateTimeOffset Since)? Problem => Volatile.Read(ref _problem) is { } p ? (p.Reason, p.Since) : null;

    /// <summary>Files being written now.</summary>
    public int OpenFiles { get; private set; }

    public ValueTask StoreAsync(Alert alert, AlertAnnotation annotation, long publishTimeMs, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(annotation);
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new IOException($"the archive at {Root} failed earlier: {failure.Message}", failure);
        }

        if (alert.Envelope is null)
        {
            throw new ArgumentException("The alert was not decoded from a message (no envelope): nothing to archive.", nameof(alert));
        }

        var pending = new Pending(alert, annotation, publishTimeMs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(NightArchive), "The archive is closed.");
        }

        return new ValueTask(pending.Done.Task.WaitAsync(cancel));
    }

    /// <summary>Writes what is queued, closes every file and writes their indexes.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _loop.ConfigureAwait(false);
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false); // a disk that refuses writes is not waited out at a stop
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>A file-name-safe writer name from a host name.</summary>
    public static string WriterName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = new string([.. host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' ? c : '_')]);
        return name.Length > 0 ? name : "broker";
    }

    private async Task LoopAsync()
    {
        var batch = new List<Pending>();
        var flush = TimeSpan.FromMilliseconds(_options.FlushMs);
        while (true)
        {
            bool more;
            using (var idle = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            {
                try
                {
                    more = await _queue.Reader.WaitToReadAsync(idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    CloseIdle();
                    continue;
                }
            }

            if (!more)
            {
                break;
            }

            // Group commit: whatever arrived meanwhile (during the last fsync, and flush_ms more) shares one block and one
            // fsync per file.
            if (flush > TimeSpan.Zero)
            {
                await Task.Delay(flush).ConfigureAwait(false);
            }

            while (_queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            await CommitAsync(batch).ConfigureAwait(false);
            batch.Clear();
            CloseIdle();
        }

        foreach (var part in _open.Values)
        {
            ClosePart(part);
        }

        _open.Clear();
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        if (_failure is { } earlier)
        {
            Fail(batch, earlier);
            return;
        }

        // A disk that refuses writes (full, or a folder it cannot write) is waited out: the batch is rolled back and
        // tried again with backoff, its lanes keep waiting (so their offsets are not committed), /health says
        // degraded, and writing resumes by itself when space returns. Only a stop gives up on it (uncommitted, re-read).
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            Exception? refused;
            try
            {
                refused = TryCommit(batch);
            }
#pragma warning disable CA1031 // anything but the disk refusing is a fault: every waiting record fails, the pipeline stops without committing
            catch (Exception e)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _failure, e);
                LogFailed(_log, Root, e.Message);
                Fail(batch, e);
                return;
            }

            if (refused is not null && !_options.WaitForSpace)
            {
                Volatile.Write(ref _failure, refused);
                LogFailed(_log, Root, refused.Message);
                Fail(batch, refused);
                return;
            }

            if (refused is null)
            {
                if (Interlocked.Exchange(ref _problem, null) is not null)
                {
                    LogResumed(_log, Root);
                }

                break;
            }

            var before = Volatile.Read(ref _problem);
            Volatile.Write(ref _problem, new RefusedSince(refused.Message, before?.Since ?? DateTimeOffset.UtcNow));
            if (before is null)
            {
                LogRefused(_log, Root, refused.Message);
            }

            try
            {
                await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Fail(batch, refused); // stopping: left uncommitted, re-read after the restart
                return;
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }

        Interlocked.Add(ref _stored, batch.Count);
        foreach (var p in batch)
        {
            p.Done.TrySetResult();
        }

        foreach (var (key, part) in _open.Where(kv => kv.Value.Length >= (long)_options.PartMib << 20).ToList())
        {
            _open.Remove(key);
            ClosePart(part);
        }
    }

    // One attempt: null when the batch is on disk; the disk's refusal (IOException, UnauthorizedAccessException) after
    // rolling back what the attempt wrote. Any other exception is a fault and propagates.
    private Exception? TryCommit(List<Pending> batch)
    {
        var marks = new Dictionary<ArchivePart, (long Length, int Rows)>();
        var created = new HashSet<ArchivePart>();
        try
        {
            var free = FreeBytes(Root);
            if (free < (long)(_options.MinFreeMib * (1 << 20)))
            {
                throw new IOException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{free / (1 << 20)} MiB free on the archive's disk, below archive.min_free_mib ({_options.MinFreeMib})"));
            }

            NoteFilters();
            foreach (var p in batch)
            {
                var night = ObservingNight.Name(ObservingNight.Of(p.Alert.Survey, p.Alert.Mjd));
                var opened = _open.Count;
                var part = PartFor(p.Alert, night);
                if (_open.Count > opened)
                {
                    created.Add(part);
                }
                else if (!created.Contains(part) && !marks.ContainsKey(part))
                {
                    marks[part] = part.Mark();
                }

                KeepSnapshot(p.Alert.Survey, p.Annotation.NoveltySnapshot);
                _annotation.ResetWrittenCount();
                AnnotationEncoder.Write(_annotation, p.Alert, p.Annotation, p.PublishTimeMs);
                part.Add(IndexRow.Of(p.Alert, night, p.Annotation, p.PublishTimeMs), p.Alert.Envelope!.Datum, _annotation.WrittenSpan.ToArray());
            }

            foreach (var part in marks.Keys.Concat(created))
            {
                part.WriteBlock();
                part.Sync();
            }

            OpenFiles = _open.Count;
            foreach (var part in created)
            {
                LogOpened(_log, part.Path); // once its first block is on disk: a refused attempt opens nothing
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var part in created)
            {
                Forget(part);
                Quietly(part.Discard);
            }

            foreach (var (part, mark) in marks)
            {
                if (!part.RollBack(mark))
                {
                    Forget(part); // left as a crash leaves a file: repaired and indexed at the next start
                }
            }

            OpenFiles = _open.Count;
            return e;
        }
    }

    private void Forget(ArchivePart part)
    {
        foreach (var key in _open.Where(kv => ReferenceEquals(kv.Value, part)).Select(kv => kv.Key).ToList())
        {
            _open.Remove(key);
        }
    }

    private static void Quietly(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Free bytes on the disk holding a path (statvfs); a test gives its own.</summary>
    internal Func<string, long> FreeBytes { get; set; } = path => new DriveInfo(path).AvailableFreeSpace;

    private static void Fail(List<Pending> batch, Exception e)
    {
        foreach (var p in batch)
        {
            p.Done.TrySetException(new IOException($"archive: {e.Message}", e));
        }
    }

    private ArchivePart PartFor(Alert alert, string night)
    {
        var schema = alert.Raw.Schema;
        var key = (alert.Survey, night, schema);
        if (_open.TryGetValue(key, out var part))
        {
            return part;
        }

        var (extended, input) = _schemas.GetOrAdd(schema, s => (OutputFormat.ExtendedSchemaJson(s), SchemaWriter.ToJson(s)));
        var survey = AnnotationEncoder.SurveyName(alert.Survey);
        var path = ArchiveLayout.NextPart(ArchiveLayout.NightFolder(Root, survey, night), Writer);
        part = ArchivePart.Create(path, extended, input, alert.Envelope?.SchemaId, _options.Codec, survey, night, Writer, _filtersJson);
        _open[key] = part;
        return part;
    }

    // A new set of subscriptions (by content) starts new files: each file's records were matched by the set it names.
    private void NoteFilters()
    {
        var list = Filters?.Filters;
        if (list is null || ReferenceEquals(list, _filterList))
        {
            return;
        }

        _filterList = list;
        var json = FilterSetJson(list);
        if (json == _filtersJson)
        {
            return;
        }

        _filtersJson = json;
        foreach (var part in _open.Values)
        {
            ClosePart(part);
        }

        _open.Clear();
    }

    /// <summary>The definitions of a set of subscriptions as JSON (what `broker.filters` holds).</summary>
    public static string FilterSetJson(IReadOnlyList<IAlertFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        return JsonSerializer.Serialize(filters.OfType<ExpressionFilter>().Select(f => f.Definition).ToList(), FilterDefinition.Json);
    }

    private void KeepSnapshot(Survey survey, NoveltySnapshot? snapshot)
    {
        if (snapshot is null)
        {
            return;
        }

        var name = AnnotationEncoder.SurveyName(survey);
        if (_snapshots.Contains(name + "/" + snapshot.Id))
        {
            return;
        }

        var path = ArchiveLayout.SnapshotPath(Root, name, snapshot.Id);
        if (File.Exists(path))
        {
            _snapshots.Add(name + "/" + snapshot.Id);
            return; // ids name the content (nov-seed-generation-hash): the file there is this snapshot
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // <id>.snapshot.<unique>.<pid>.tmp: unique per writer (two silos of one process may keep the same snapshot at
        // once), the pid last, where recovery reads it to leave a live process's temporaries alone.
        var temp = path + "." + Guid.NewGuid().ToString("N")[..12] + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            SnapshotFile.Write(snapshot, file, FeatureCatalog.Names);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        _snapshots.Add(name + "/" + snapshot.Id); // only once written: a write the disk refused is tried again
    }

    private void CloseIdle()
    {
        var limit = DateTime.UtcNow - TimeSpan.FromMinutes(_options.IdleCloseMinutes);
        foreach (var (key, part) in _open.Where(kv => kv.Value.LastWrite < limit).ToList())
        {
            _open.Remove(key);
            ClosePart(part);
        }
    }

    private void ClosePart(ArchivePart part)
    {
        try
        {
            part.Close();
            LogClosed(_log, part.Path, part.Records);
        }
#pragma warning disable CA1031 // the records are on disk; a missing index is rebuilt by the next start's recovery
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogIndexFailed(_log, part.Path, e.Message);
        }
    }

    private sealed record RefusedSince(string Reason, DateTimeOffset Since);

    private sealed record Pending(Alert Alert, AlertAnnotation Annotation, long PublishTimeMs, TaskCompletionSource Done);

    [LoggerMessage(Level = LogLevel.Information, Message = "Archive file {Path} opened")]
    private static partial void LogOpened(ILogger log, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Archive file {Path} closed with {Records} records and indexed")]
    private static partial void LogClosed(ILogger log, string path, int records);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive file {Path}: index not written ({Error}); the next start rebuilds it")]
    private static partial void LogIndexFailed(ILogger log, string path, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Archive at {Root} refuses writes: {Error}. Records wait and are retried with backoff (their offsets are not committed); /health is degraded until it resumes by itself")]
    private static partial void LogRefused(ILogger log, string root, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archive at {Root} writes again: waiting records are on disk")]
    private static partial void LogResumed(ILogger log, string root);

    [LoggerMessage(Level = LogLevel.Error, Message = "Archive at {Root} failed: {Error}; the pipeline stops without committing")]
    private static partial void LogFailed(ILogger log, string root, string error);
}
