// `broker run --config FILE`: the pipeline's settings, one JSON file (snake_case keys; deploy/broker.json is an
// annotated example). Relative paths are resolved against the file's folder. Unknown keys are errors, so a typo
// never silently falls back to a default.
using System.Text.Json;
using System.Text.Json.Serialization;
using Broker.Archive;
using Broker.Avro.Framing;
using Broker.Engine;
using Broker.Engine.Routing;
using Broker.Filters;
using Broker.Filters.Language;

namespace Broker.Pipeline.Configuration;

public sealed record KafkaOptions
{
    public string BootstrapServers { get; init; } = "127.0.0.1:9092";

    public string GroupId { get; init; } = "broker";

    /// <summary>Input topic names; a name starting with '^' is a regular expression (Kafka's convention), e.g. "^ztf_.*".</summary>
    public IReadOnlyList<string> InputTopics { get; init; } = ["alerts"];

    /// <summary>Output topics are &lt;prefix&gt;.annotated, &lt;prefix&gt;.filtered.&lt;name&gt;, &lt;prefix&gt;.deadletter.</summary>
    public string OutputPrefix { get; init; } = "broker";

    /// <summary>Extra librdkafka settings for every client (security.protocol, sasl.*, ...).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Where a new group starts: earliest (replay everything retained) or latest.</summary>
    public string AutoOffsetReset { get; init; } = "earliest";

    /// <summary>
    /// The consumer group protocol: "classic" works with every Kafka; "consumer" (KIP-848, Kafka 4.0 and later, and
    /// the embedded cluster) assigns partitions in ~0.1 s instead of ~3 s and hands a leaving member's partitions
    /// over in ~3 s instead of ~5 s, without stopping the other members.
    /// </summary>
    public string GroupProtocol { get; init; } = "classic";
}

public sealed record SchemaOptions
{
    /// <summary>Confluent schema registry for framed (Rubin) input.</summary>
    public string? RegistryUrl { get; init; }

    /// <summary>Local schema folder for framed input (offline), e.g. Rubin's alert_packet schemas.</summary>
    public string? Directory { get; init; }

    /// <summary>Where the schemas of framed outputs are written as &lt;id&gt;.avsc.</summary>
    public string OutputDirectory { get; init; } = "state/schemas";
}

public sealed record ModelOptions
{
    public string Rb { get; init; } = "models/rb";

    /// <summary>The cutout CNN's folder; null runs without the CNN (cnn fields are null).</summary>
    public string? Cnn { get; init; } = "models/cnn-int8";
}

public sealed record ProcessingOptions
{
    /// <summary>Alerts processed concurrently (each awaits the CNN batcher, so more lanes than cores fill batches).</summary>
    public int Lanes { get; init; } = 32;

    /// <summary>Messages read ahead of the lanes (the bounded queue between the consumer and the lanes).</summary>
    public int QueueCapacity { get; init; } = 64;

    public int CnnMaxBatch { get; init; } = 16;

    public double CnnMaxWaitMs { get; init; } = 2;

    /// <summary>Novelty forests' seed (a replay with the same seed and order gets the same snapshots).</summary>
    public ulong NoveltySeed { get; init; } = 1;

    /// <summary>
    /// The novelty models learn what is normal only from alerts at least this likely real (rb_combined, else rb), so
    /// that artifacts, which are many and alike, do not define "ordinary" and real rarities stand out; every alert is
    /// still scored. 0: learn from every alert. The first snapshot comes after 256 such alerts of a survey.
    /// </summary>
    public double NoveltyLearnMinReal { get; init; } = 0.5;

    /// <summary>
    /// How long revocation or a stop waits for in-flight alerts before giving up (they are re-read later). A stop
    /// takes at most this long in all (lanes, delivery reports and the closing revocation share one deadline); 8 s
    /// leaves room in Docker's 10 s grace period.
    /// </summary>
    public double DrainSeconds { get; init; } = 8;

    /// <summary>
    /// /health says degraded (503) when nothing was published or dead-lettered for this long while messages wait
    /// (lag, or messages in flight): a stalled silo a probe can see (docs/operations.md, "Health").
    /// </summary>
    public double StallSeconds { get; init; } = 10;
}

public sealed record MetricsOptions
{
    /// <summary>host:port for /metrics and /health (loopback by default; port 0 picks a free one); null disables.</summary>
    public string? Listen { get; init; } = "127.0.0.1:9464";

    /// <summary>
    /// Token that changes through the HTTP API (filters) must carry as `Authorization: Bearer TOKEN` when `listen` is not
    /// a loopback address; without one, such a host refuses changes (403). Loopback hosts accept them without.
    /// </summary>
    public string? WriteToken { get; init; }
}

/// <summary>
/// The Orleans silo `broker run` starts (docs/cluster.md). One machine: localhost clustering and memory storage, no
/// external service. Production: Redis for membership and grain state, one silo per machine or container.
/// </summary>
public sealed record ClusterOptions
{
    /// <summary>localhost (one silo, development and demo) or redis (any number of silos).</summary>
    public string Clustering { get; init; } = "localhost";

    /// <summary>How many filters the cluster's catalog takes (each costs a match per alert and a topic); more are refused.</summary>
    public int MaxFilters { get; init; } = 256;

    /// <summary>memory (lost with the silo) or redis: where object grains, the filter catalog and night grains persist.</summary>
    public string Storage { get; init; } = "memory";

    /// <summary>StackExchange.Redis configuration string, e.g. 127.0.0.1:6379 (clustering or storage redis).</summary>
    public string? Redis { get; init; }

    /// <summary>Silos with the same cluster id form one cluster; grain state is shared by service id.</summary>
    public string ClusterId { get; init; } = "broker";

    public string ServiceId { get; init; } = "broker";

    /// <summary>Silo-to-silo port (0: a free one, chosen at start).</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>Port clients (`broker filter --cluster`) connect to (0: a free one).</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>The address other silos reach this one at: an IP, a host name, "auto" (this host's own; containers), or null (loopback: one machine).</summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>Object grains idle this long deactivate (their state is stored; the next alert reloads it).</summary>
    public double ObjectIdleMinutes { get; init; } = 10;

    /// <summary>How often a silo sends its novelty samples to the survey's model grain and fetches its snapshot.</summary>
    public double NoveltySyncMs { get; init; } = 500;

    /// <summary>Seconds a silo may miss probes before others declare it dead (Orleans' default detection takes 11-18 s here).</summary>
    public double ProbeTimeoutSeconds { get; init; } = 1;

    public int MissedProbesLimit { get; init; } = 2;

    /// <summary>How often each silo publishes the digests of the nights it saw to &lt;prefix&gt;.digest.</summary>
    public double DigestSeconds { get; init; } = 600;

    /// <summary>Orleans Dashboard (grain-level operations) at /orleans on the metrics address.</summary>
    public bool Dashboard { get; init; } = true;
}

public sealed record PipelineOptions
{
    public KafkaOptions Kafka { get; init; } = new();

    public SchemaOptions Schemas { get; init; } = new();

    public ModelOptions Models { get; init; } = new();

    public ProcessingOptions Processing { get; init; } = new();

    public MetricsOptions Metrics { get; init; } = new();

    public ClusterOptions Cluster { get; init; } = new();

    public ArchiveOptions Archive { get; init; } = new();

    /// <summary>Subscriptions written inline: name, where (the filter language), payload, topic, description, owner.</summary>
    public IReadOnlyList<FilterDefinition> Filters { get; init; } = [];

    /// <summary>A directory of *.filter files, watched: filters added, changed or removed there apply without a restart.</summary>
    public string? FilterDirectory { get; init; }

    [JsonIgnore]
    public string AnnotatedTopic => Kafka.OutputPrefix + ".annotated";

    [JsonIgnore]
    public string DeadLetterTopic => Kafka.OutputPrefix + ".deadletter";

    /// <summary>Each survey night's digest (a silo's cluster publishes it; docs/operations.md).</summary>
    [JsonIgnore]
    public string DigestTopic => Kafka.OutputPrefix + ".digest";

    /// <summary>Every topic the broker writes: annotated, dead letters, the night digests, one per filter (to create them up front).</summary>
    [JsonIgnore]
    public IEnumerable<string> OutputTopics => new[] { AnnotatedTopic, DeadLetterTopic, DigestTopic }.Concat(Filters.Select(f => TopicOf(f.Name, f.Topic)));

    /// <summary>
    /// The engine this configuration runs: models, CNN batching, novelty; alert schemas from <paramref name="registry"/>
    /// when given, else from schemas.directory.
    /// </summary>
    public EngineOptions Engine(ISchemaSource? registry = null) => new()
    {
        RbModel = Models.Rb,
        CnnModel = Models.Cnn,
        CnnMaxBatch = Processing.CnnMaxBatch,
        CnnMaxWait = TimeSpan.FromMilliseconds(Processing.CnnMaxWaitMs),
        NoveltySeed = Processing.NoveltySeed,
        NoveltyLearnMinReal = Processing.NoveltyLearnMinReal,
        AlertSchemas = registry ?? (Schemas.Directory is { } dir ? new LocalSchemaDirectory(dir) : null),
        OutputSchemaDirectory = Schemas.OutputDirectory,
    };

    public string FilteredTopic(string filter) => Kafka.OutputPrefix + ".filtered." + filter;

    /// <summary>Where a filter's matches go: its own topic, or &lt;prefix&gt;.filtered.&lt;name&gt;.</summary>
    public string TopicOf(IAlertFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return TopicOf(filter.Name, filter.Topic);
    }

    private string TopicOf(string name, string? topic) => topic ?? FilteredTopic(name);

    /// <summary>The configuration file's JSON conventions: snake_case keys, unknown keys an error, comments allowed (those of filter definitions).</summary>
    public static JsonSerializerOptions Json => FilterDefinition.Json;

    /// <summary>Reads a config file; relative paths in it are taken from the file's folder.</summary>
    public static PipelineOptions Load(string path)
    {
        PipelineOptions options;
        try
        {
            options = JsonSerializer.Deserialize<PipelineOptions>(File.ReadAllText(path), Json)
                ?? throw new PipelineConfigException($"{path}: the file is empty.");
        }
        catch (JsonException e)
        {
            throw new PipelineConfigException($"{path}: {e.Message}", e);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return options.ResolvePaths(folder).Validate(path);
    }

    public PipelineOptions ResolvePaths(string folder)
    {
        string Abs(string p) => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(folder, p));
        return this with
        {
            Schemas = Schemas with
            {
                Directory = Schemas.Directory is { } d ? Abs(d) : null,
                OutputDirectory = Abs(Schemas.OutputDirectory),
            },
            Models = Models with { Rb = Abs(Models.Rb), Cnn = Models.Cnn is { } c ? Abs(c) : null },
            FilterDirectory = FilterDirectory is { } f ? Abs(f) : null,
            Archive = Archive.ResolvePaths(folder),
        };
    }

    public PipelineOptions Validate(string source = "configuration")
    {
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new PipelineConfigException($"{source}: {message}");
            }
        }

        Check(Kafka.InputTopics.Count > 0, "kafka.input_topics needs at least one topic or pattern.");
        Check(Kafka.InputTopics.All(t => t.StartsWith('^') || Broker.Kafka.Embedded.TopicSpec.IsValidName(t)), "kafka.input_topics: a name is letters, digits, '.', '_' and '-' (start it with '^' for a pattern).");
        Check(Broker.Kafka.Embedded.TopicSpec.IsValidName(Kafka.OutputPrefix), "kafka.output_prefix must be a legal topic name.");
        Check(Kafka.AutoOffsetReset is "earliest" or "latest", "kafka.auto_offset_reset is earliest or latest.");
        Check(Broker.Kafka.KafkaClients.TryParseGroupProtocol(Kafka.GroupProtocol, out _), "kafka.group_protocol is classic (any Kafka) or consumer (KIP-848: Kafka 4.0+).");
        Check(Processing.Lanes is >= 1 and <= 1024, "processing.lanes is 1..1024.");
        Check(Processing.QueueCapacity is >= 1 and <= 100_000, "processing.queue_capacity is 1..100000.");
        Check(Processing.CnnMaxBatch is >= 1 and <= Broker.Models.Cnn.CnnModel.MaxBatch, $"processing.cnn_max_batch is 1..{Broker.Models.Cnn.CnnModel.MaxBatch}.");
        Check(Processing.DrainSeconds > 0, "processing.drain_seconds must be positive.");
        Check(Processing.StallSeconds > 0, "processing.stall_seconds must be positive.");
        Check(Cluster.MaxFilters > 0, "cluster.max_filters must be positive.");
        Check(Processing.NoveltyLearnMinReal is >= 0 and <= 1, "processing.novelty_learn_min_real is 0..1.");
        Check(Cluster.Clustering is "localhost" or "redis", "cluster.clustering is localhost or redis.");
        Check(Cluster.Storage is "memory" or "redis", "cluster.storage is memory or redis.");
        Check(Cluster.Redis is not null || (Cluster.Clustering != "redis" && Cluster.Storage != "redis"), "cluster.redis (host:port) is needed when clustering or storage is redis.");
        Check(Cluster.SiloPort is >= 0 and <= 65535 && Cluster.GatewayPort is >= 0 and <= 65535, "cluster.silo_port and cluster.gateway_port are 0..65535.");
        Check(Cluster.DigestSeconds > 0, "cluster.digest_seconds must be positive.");
        Check(Cluster.ObjectIdleMinutes > 0 && Cluster.NoveltySyncMs > 0 && Cluster.ProbeTimeoutSeconds > 0 && Cluster.MissedProbesLimit >= 1,
            "cluster.object_idle_minutes, novelty_sync_ms and probe_timeout_seconds must be positive, missed_probes_limit at least 1.");
        Check(Archive.Problem() is null, Archive.Problem()!);
        Check(Filters.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() == Filters.Count, "two filters have the same name.");
        foreach (var filter in Filters)
        {
            try
            {
                filter.Compile();
            }
            catch (Exception e) when (e is FilterException or FilterDefinitionException)
            {
                throw new PipelineConfigException($"{source}: filter '{filter.Name}': {e.Message}", e);
            }
        }

        return this;
    }
}

/// <summary>A configuration file that cannot be used; the message names the file and the setting.</summary>
public sealed class PipelineConfigException : Exception
{
    public PipelineConfigException(string message) : base(message) { }

    public PipelineConfigException(string message, Exception inner) : base(message, inner) { }

    public PipelineConfigException() { }
}
