// Where schemas for Confluent-framed messages come from: a Confluent-compatible schema registry over HTTP
// (cached: each id is fetched once), or a local directory of .avsc files (offline operation, tests, replays).
using System.Collections.Concurrent;
using System.Globalization;
using Broker.Avro.Schema;
using Confluent.SchemaRegistry;

namespace Broker.Avro.Framing;

/// <summary>Resolves a schema id to a schema.</summary>
public interface ISchemaSource
{
    /// <summary>The schema registered under <paramref name="id"/>; throws <see cref="SchemaNotFoundException"/> when unknown.</summary>
    ValueTask<AvroSchema> GetAsync(int id, CancellationToken cancel = default);
}

/// <summary>No schema with that id is known to the source.</summary>
public sealed class SchemaNotFoundException : AvroSchemaException
{
    public SchemaNotFoundException(int id, string where)
        : base($"No schema with id {id} in {where}.") => SchemaId = id;

    public SchemaNotFoundException() { }

    public SchemaNotFoundException(string message) : base(message) { }

    public SchemaNotFoundException(string message, Exception inner) : base(message, inner) { }

    public int SchemaId { get; }
}

/// <summary>
/// A Confluent-compatible schema registry through Confluent.SchemaRegistry's CachedSchemaRegistryClient (its
/// caching, retries, authentication and TLS settings); each id is fetched once and parsed once by the broker's codec.
/// </summary>
public sealed class SchemaRegistryClient : ISchemaSource, IDisposable
{
    private readonly ISchemaRegistryClient _registry;
    private readonly string _where;
    private readonly ConcurrentDictionary<int, Lazy<Task<AvroSchema>>> _cache = new();

    /// <summary>A client for the registry at <paramref name="baseUrl"/>; <paramref name="settings"/> are Confluent's schema.registry.* settings.</summary>
    public SchemaRegistryClient(Uri baseUrl, IEnumerable<KeyValuePair<string, string>>? settings = null)
        : this(new CachedSchemaRegistryClient(Config(baseUrl, settings)), baseUrl.AbsoluteUri)
    {
    }

    public SchemaRegistryClient(ISchemaRegistryClient registry, string where)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _where = where;
    }

    /// <summary>How many ids have been fetched (for tests and metrics).</summary>
    public int Fetched => _cache.Count;

    public async ValueTask<AvroSchema> GetAsync(int id, CancellationToken cancel = default)
    {
        var lazy = _cache.GetOrAdd(id, i => new Lazy<Task<AvroSchema>>(() => FetchAsync(i)));
        try
        {
            return await lazy.Value.WaitAsync(cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Do not cache failures: the registry may be back, or the schema registered, on the next message.
            _cache.TryRemove(new KeyValuePair<int, Lazy<Task<AvroSchema>>>(id, lazy));
            throw;
        }
    }

    public void Dispose() => _registry.Dispose();

    private static SchemaRegistryConfig Config(Uri baseUrl, IEnumerable<KeyValuePair<string, string>>? settings)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var config = new SchemaRegistryConfig { RequestTimeoutMs = 10_000 };
        foreach (var (key, value) in settings ?? [])
        {
            config.Set(key, value);
        }

        config.Url = baseUrl.AbsoluteUri.TrimEnd('/');
        return config;
    }

    private async Task<AvroSchema> FetchAsync(int id)
    {
        Confluent.SchemaRegistry.Schema schema;
        try
        {
            schema = await _registry.GetSchemaAsync(id).ConfigureAwait(false);
        }
        catch (SchemaRegistryException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            throw new SchemaNotFoundException(id, $"the schema registry at {_where}");
        }

        if (schema.SchemaType != SchemaType.Avro)
        {
            throw new AvroSchemaException($"Schema id {id} is a {schema.SchemaType} schema, not Avro.");
        }

        return SchemaParser.Parse(schema.SchemaString);
    }
}

/// <summary>
/// Schemas from files. Two layouts are understood: <c>DIR/&lt;id&gt;.avsc</c> (one file per id), and the
/// layout of Rubin's alert_packet schema folders, <c>DIR/&lt;name&gt;/vMAJOR_MINOR/*.avsc</c> or
/// <c>DIR/MAJOR/MINOR/*.avsc</c>, whose id is MAJOR*100+MINOR and whose root is the record named
/// <c>*.alert</c>; the files of one version may refer to each other's types.
/// </summary>
public sealed class LocalSchemaDirectory : ISchemaSource
{
    private readonly Dictionary<int, Func<AvroSchema>> _loaders = [];
    private readonly ConcurrentDictionary<int, AvroSchema> _loaded = new();
    private readonly string _root;

    public LocalSchemaDirectory(string root)
    {
        _root = Path.GetFullPath(root);
        if (!Directory.Exists(_root))
        {
            throw new DirectoryNotFoundException($"Schema directory {_root} does not exist.");
        }

        foreach (var file in Directory.EnumerateFiles(_root, "*.avsc", SearchOption.TopDirectoryOnly))
        {
            if (int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                _loaders[id] = () => SchemaParser.Parse(File.ReadAllText(file));
            }
        }

        foreach (var dir in Directory.EnumerateDirectories(_root, "*", SearchOption.AllDirectories))
        {
            if (VersionId(dir) is { } id && Directory.EnumerateFiles(dir, "*.avsc").Any())
            {
                _loaders.TryAdd(id, () => LoadVersionFolder(dir));
            }
        }
    }

    public IReadOnlyCollection<int> Ids => _loaders.Keys;

    public ValueTask<AvroSchema> GetAsync(int id, CancellationToken cancel = default)
    {
        if (_loaded.TryGetValue(id, out var schema))
        {
            return ValueTask.FromResult(schema);
        }

        if (!_loaders.TryGetValue(id, out var load))
        {
            throw new SchemaNotFoundException(id, $"the schema directory {_root}");
        }

        return ValueTask.FromResult(_loaded.GetOrAdd(id, _ => load()));
    }

    /// <summary>Parses every .avsc of a folder into one name table (retrying until references resolve).</summary>
    public static AvroSchema LoadVersionFolder(string dir)
    {
        var pending = Directory.EnumerateFiles(dir, "*.avsc").Order(StringComparer.Ordinal).ToList();
        var names = new SchemaNames();
        AvroSchema? root = null;
        while (pending.Count > 0)
        {
            var progress = false;
            foreach (var file in pending.ToList())
            {
                var trial = new SchemaNames();
                foreach (var t in names.Types.Values)
                {
                    trial.Add(t);
                }

                AvroSchema parsed;
                try
                {
                    parsed = SchemaParser.Parse(File.ReadAllText(file), trial);
                }
                catch (AvroSchemaException e) when (e.Message.Contains("Unknown type", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var t in trial.Types.Values.Where(t => !names.TryGet(t.FullName, out _)))
                {
                    names.Add(t);
                }

                if (parsed is RecordSchema r && r.Name == "alert")
                {
                    root = parsed;
                }

                pending.Remove(file);
                progress = true;
            }

            if (!progress)
            {
                throw new AvroSchemaException($"Schemas in {dir} refer to types no file defines: {string.Join(", ", pending.Select(Path.GetFileName))}.");
            }
        }

        return root ?? throw new AvroSchemaException($"No record named 'alert' among the schemas in {dir}.");
    }

    private static int? VersionId(string dir)
    {
        var name = Path.GetFileName(dir);
        if (name.Length > 1 && name[0] == 'v' && name[1..].Split('_') is [var major, var minor]
            && int.TryParse(major, NumberStyles.None, CultureInfo.InvariantCulture, out var ma)
            && int.TryParse(minor, NumberStyles.None, CultureInfo.InvariantCulture, out var mi))
        {
            return (ma * 100) + mi;
        }

        var parent = Path.GetFileName(Path.GetDirectoryName(dir));
        return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var minorOnly)
            && int.TryParse(parent, NumberStyles.None, CultureInfo.InvariantCulture, out var majorOnly)
            ? (majorOnly * 100) + minorOnly
            : null;
    }
}
