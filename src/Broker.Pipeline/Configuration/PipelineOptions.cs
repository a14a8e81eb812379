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
/// The pipeline's part of the configuration file: everything a pipeline needs to run with or without a cluster. The
/// file's root is <c>Broker.Cluster.Hosting.BrokerOptions</c>, which adds the cluster's section; a derived
/// record adds its sections' checks through <see cref="SectionProblems"/>.
/// </summary>
public record PipelineOptions
{
    public KafkaOptions Kafka { get; init; } = new();

    public SchemaOptions Schemas { get; init; } = new();

    public ModelOptions Models { get; init; } = new();

    public ProcessingOptions Processing { get; init; } = new();

    public MetricsOptions Metrics { get; init; } = new();

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

    /// <summary>Reads a config file with the pipeline's sections only; relative paths in it are taken from the file's folder.</summary>
    public static PipelineOptions Load(string path) => Load<PipelineOptions>(path);

    /// <summary>Reads a config file as <typeparamref name="T"/> (its sections and the pipeline's), resolved and checked.</summary>
    public static T Load<T>(string path)
        where T : PipelineOptions
    {
        if (!File.Exists(path))
        {
            throw new PipelineConfigException($"{path}: no such configuration file.");
        }

        T options;
        try
        {
            options = JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
                ?? throw new PipelineConfigException($"{path}: the file is empty.");
        }
        catch (JsonException e)
        {
            throw new PipelineConfigException($"{path}: {e.Message}", e);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;

        // `with` keeps the runtime type, so a derived configuration comes back as itself.
        return (T)options.ResolvePaths(folder).Validate(path);
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
        Check(Processing.NoveltyLearnMinReal is >= 0 and <= 1, "processing.novelty_learn_min_real is 0..1.");
        Check(Archive.Problem() is null, Archive.Problem()!);
        foreach (var problem in SectionProblems())
        {
            Check(false, problem);
        }

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

    /// <summary>What is wrong with the sections a derived configuration adds (none here); each message names its key.</summary>
    protected virtual IEnumerable<string> SectionProblems() => [];
}

/// <summary>A configuration file that cannot be used; the message names the file and the setting.</summary>
public sealed class PipelineConfigException : Exception
{
    public PipelineConfigException(string message) : base(message) { }

    public PipelineConfigException(string message, Exception inner) : base(message, inner) { }

    public PipelineConfigException() { }
}
