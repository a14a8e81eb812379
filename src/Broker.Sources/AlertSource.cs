// The one way the broker reads alerts that are not on Kafka: `inspect`, `replay`, `eval real`, the training
// commands and the demo all open their paths here. Each file is recognised by its first bytes, not its name
// (Parquet's PAR1, Avro's Obj1, gzip or tar headers, Confluent's magic byte), and becomes alert messages the
// AlertDecoder reads, or problem items saying what could not be read and why: nothing is skipped silently.
// Formats this project cannot read alone (the broker's own archive) plug in through IAlertFileFormat.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Sources.Formats;

namespace Broker.Sources;

/// <summary>A file format a library above this one knows (the night archive); asked before the built-in ones.</summary>
public interface IAlertFileFormat
{
    /// <summary>True when the file, whose first bytes are <paramref name="head"/>, is this format's.</summary>
    bool Claims(string path, ReadOnlySpan<byte> head);

    /// <summary>The file's alert messages or problems.</summary>
    IEnumerable<SourceItem> Read(string path);

    /// <summary>How many items the file holds, when that is cheap to know.</summary>
    long? Count(string path);
}

/// <summary>How a source reads its files.</summary>
public sealed record AlertSourceOptions
{
    /// <summary>The writer schema of schemaless Avro message bodies (default: schema.json beside each file).</summary>
    public string? SchemaFile { get; init; }

    /// <summary>Formats of libraries above this one, asked first (the night archive's).</summary>
    public IReadOnlyList<IAlertFileFormat> Formats { get; init; } = [];
}

public sealed class AlertSource
{
    /// <summary>How many bytes of a file are looked at to tell its format.</summary>
    public const int HeadSize = 64 * 1024;

    private readonly AlertSourceOptions _options;
    private readonly AvroMessages _messages;

    /// <summary>A source over <paramref name="paths"/>; throws <see cref="SourcePathException"/> when one names nothing.</summary>
    public AlertSource(IEnumerable<string> paths, AlertSourceOptions? options = null)
    {
        _options = options ?? new AlertSourceOptions();
        if (_options.SchemaFile is { } schema && !File.Exists(schema))
        {
            throw new SourcePathException($"{schema}: no such schema file.");
        }

        Files = SourcePaths.Expand(paths);
        _messages = new AvroMessages(_options.SchemaFile);
    }

    /// <summary>The files the paths named, in the order they are read.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Every message and problem of every file, lazily, in order.</summary>
    public IEnumerable<SourceItem> Read()
    {
        foreach (var file in Files)
        {
            foreach (var item in ReadFile(file))
            {
                yield return item;
            }
        }
    }

    /// <summary>Every alert: decoded messages, and the problems of those that were not (decode errors included).</summary>
    public IEnumerable<(SourceItem Item, IReadOnlyList<Alert> Alerts)> Alerts(AlertDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        foreach (var item in Read())
        {
            if (item.Message is null)
            {
                yield return (item, []);
                continue;
            }

            IReadOnlyList<Alert> alerts;
            SourceItem result = item;
            try
            {
                alerts = decoder.Decode(item.Message);
            }
            catch (AlertDecodeException e)
            {
                alerts = [];
                result = item with { Message = null, Problem = $"{e.Stage} decode error: {e.Message}" };
            }

            yield return (result, alerts);
        }
    }

    /// <summary>How many items the files hold, when that is cheap to know (a file, a Parquet footer); null once a tarball is among them.</summary>
    public long? Count()
    {
        long total = 0;
        foreach (var file in Files)
        {
            var head = Head(file);
            if (_options.Formats.FirstOrDefault(f => f.Claims(file, head)) is { } format)
            {
                if (format.Count(file) is not { } n)
                {
                    return null;
                }

                total += n;
            }
            else if (head.AsSpan().StartsWith("PAR1"u8))
            {
                try
                {
                    total += FinkParquetReader.Count(file);
                }
                catch (ParquetSharp.ParquetException)
                {
                    total++;
                }
            }
            else if (TarballReader.Claims(file, head))
            {
                return null;
            }
            else
            {
                total++;
            }
        }

        return total;
    }

    private IEnumerable<SourceItem> ReadFile(string file)
    {
        byte[] head;
        try
        {
            head = Head(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [SourceItem.Failed(file, SourceFormat.Unknown, $"cannot be read ({e.Message})")];
        }

        if (_options.Formats.FirstOrDefault(f => f.Claims(file, head)) is { } format)
        {
            return format.Read(file);
        }

        if (head.AsSpan().StartsWith("PAR1"u8))
        {
            return FinkParquetReader.Read(file);
        }

        if (TarballReader.Claims(file, head))
        {
            return TarballReader.Read(file, _messages);
        }

        try
        {
            return [_messages.Classify(file, Path.GetFileName(file), File.ReadAllBytes(file))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [SourceItem.Failed(file, SourceFormat.Unknown, $"cannot be read ({e.Message})")];
        }
    }

    private static byte[] Head(string file)
    {
        using var stream = File.OpenRead(file);
        var head = new byte[(int)Math.Min(HeadSize, stream.Length)];
        stream.ReadExactly(head);
        return head;
    }
}
