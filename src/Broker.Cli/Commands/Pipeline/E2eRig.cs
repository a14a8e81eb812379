// What `bench e2e` and `bench soak` share: the embedded Kafka (12 input partitions), the demo's configuration, the
// pipeline in a one-silo cluster (or alone, as `run --no-cluster`; or N silos of one Redis-backed cluster in this
// process, one consumer-group member each), optionally with a night archive, a producer, the alerts to cycle through
// (a generated night, or real alerts), and a warm-up. One rig per process run; each measurement replays through it.
using System.Diagnostics;
using System.Globalization;
using Broker.Archive;
using Broker.Cli.Commands.Cnn;
using Broker.Cluster.Hosting;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Pipeline;
using Broker.Pipeline.Replay;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Cli.Commands.Pipeline;

internal sealed class E2eRig : IAsyncDisposable
{
    // 12 input partitions, so that the replayer's bound of unread messages per partition (80% of what the mock
    // retains) is not what limits the rate; in all, at most 1,000 messages are between replay and output.
    public const int InputPartitions = 12;
    public const int MaxInFlight = 1000;

    private readonly EmbeddedKafkaCluster _cluster;
    private readonly DirectoryInfo _state;
    private readonly ILoggerFactory _logs;
    private readonly IReadOnlyList<BrokerHost> _brokers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private E2eRig(EmbeddedKafkaCluster cluster, DirectoryInfo state, ILoggerFactory logs, IReadOnlyList<BrokerHost> brokers, IReadOnlyList<byte[]> night, string? archiveRoot, IProducer<byte[]?, byte[]> producer, IReadOnlySet<int> loadThreads)
    {
        (_cluster, _state, _logs, _brokers) = (cluster, state, logs, brokers);
        Night = night;
        ArchiveRoot = archiveRoot;
        Producer = producer;
        LoadThreads = loadThreads;
        _running = Task.WhenAll(brokers.Select(b => b.RunAsync(_stop.Token)));
    }

    /// <summary>The first silo's pipeline (the only one unless --silos).</summary>
    public BrokerPipeline Pipeline => _brokers[0].Pipeline;

    public IReadOnlyList<BrokerPipeline> Pipelines => [.. _brokers.Select(b => b.Pipeline)];

    public bool InSilo => _brokers[0].IsSilo;

    public int Silos => InSilo ? _brokers.Count : 0;

    /// <summary>Records archived by every silo.</summary>
    public long Archived => _brokers.Sum(b => b.Archive?.Stored ?? 0);

    public string? ArchiveRoot { get; }

    public IReadOnlyList<byte[]> Night { get; }

    /// <summary>Where the replayed alerts came from (null: generated).</summary>
    public string? NightSource { get; private init; }

    public IProducer<byte[]?, byte[]> Producer { get; }

    /// <summary>
    /// The librdkafka threads of the bench's own load: the embedded cluster's and the replaying producer's (every
    /// "rdk:" thread that ran before the broker started). A broker beside an external Kafka, fed by a survey, would
    /// not run them; their CPU is reported apart (the replayer's managed code stays counted as the broker's).
    /// </summary>
    public IReadOnlySet<int> LoadThreads { get; }

    /// <summary>Input messages finished: published or dead-lettered.</summary>
    public long Done() => _brokers.Sum(b => b.Pipeline.Status.Published + b.Pipeline.Status.DeadLettered);

    /// <summary>Starts the embedded Kafka, the broker(s) as <paramref name="rig"/> says, and the replaying producer.</summary>
    /// <exception cref="ArgumentException">An impossible combination (more than one silo without Redis, or alone).</exception>
    public static async Task<E2eRig> StartAsync(E2eRigOptions rig)
    {
        ArgumentNullException.ThrowIfNull(rig);
        var (silos, alone, redis) = (rig.Silos, rig.Alone, rig.Redis);
        if (silos is < 1 or > 8 || (silos > 1 && (alone || redis is null)))
        {
            throw new ArgumentException("--silos is 1..8; above 1 it needs --redis HOST:PORT (a running Redis) and no --alone.");
        }

        if (rig.Night is { Count: 0 })
        {
            throw new ArgumentException("the alerts to replay hold no readable alert message.");
        }

        var inv = CultureInfo.InvariantCulture;
        var night = rig.Night ?? DemoNight.Generated(rig.Generated, 3);
        var (cnn, archive) = (rig.Cnn, rig.Archive);
        var cluster = EmbeddedKafkaCluster.Start(3, [new TopicSpec(DemoCommand.InputTopic, InputPartitions)]);
        var state = Directory.CreateTempSubdirectory("broker-bench-");
        var options = DemoCommand.Options(cluster.BootstrapServers, state.FullName) with { Metrics = new() { Listen = null } };
        options = options with { Models = options.Models with { Cnn = CnnCommands.ModelDirOrNone(cnn) } };
        var archiveRoot = archive is { } a ? Path.Combine(Path.GetFullPath(a), "bench-" + Environment.ProcessId.ToString(inv)) : null;
        options = options with { Archive = new ArchiveOptions { Directory = archiveRoot, Writer = "bench", Codec = rig.ArchiveCodec, FlushMs = rig.ArchiveFlushMs } };
        foreach (var topic in options.OutputTopics)
        {
            cluster.CreateTopic(topic, 4);
        }

        var logs = PipelineHost.Logging(false, LogLevel.Warning);
#pragma warning disable CA2000 // owned by the rig from here, which disposes them
        options = options with { Cluster = options.Cluster with { Dashboard = false } };
        if (redis is not null && !alone)
        {
            // One Redis-backed cluster of its own per run (also for one silo, to compare like with like); free ports,
            // as silos of one machine need.
            var id = "bench-" + Environment.ProcessId.ToString(inv) + "-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(inv);
            options = options with { Cluster = options.Cluster with { Clustering = "redis", Storage = "redis", Redis = redis, ClusterId = id, ServiceId = id, SiloPort = 0, GatewayPort = 0 } };
        }

        // The replaying producer first, its metadata read (librdkafka starts a thread per broker it learns of), so
        // that every librdkafka thread running now is the load's, not the broker's.
        var producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 });
        using (var admin = new DependentAdminClientBuilder(producer.Handle).Build())
        {
            _ = admin.GetMetadata(DemoCommand.InputTopic, TimeSpan.FromSeconds(10));
        }

        var loadThreads = NamedThreadsCpu.Named("rdk:");
        var brokers = new List<BrokerHost>();
        for (var i = 0; i < Math.Max(1, silos); i++)
        {
            var own = options with { Archive = options.Archive with { Writer = silos > 1 ? "bench-" + i.ToString(inv) : "bench" } };
            brokers.Add(await BrokerHost.StartAsync(own, logs, alone ? BrokerMode.Alone : BrokerMode.Silo));
        }

        return new E2eRig(cluster, state, logs, brokers, night, archiveRoot, producer, loadThreads) { NightSource = rig.NightSource };
#pragma warning restore CA2000
    }

    /// <summary>
    /// Warm-up: join the group, fill the novelty reservoirs, and let the tiered JIT and the GC settle (after only 500
    /// alerts the first unlimited step measured 10-25% below the same step run later in the process).
    /// </summary>
    public async Task WarmUpAsync(int count, CancellationToken cancel)
    {
        var warm = Math.Max(1, count);
        await ReplayAsync(warm, 0, TimeSpan.FromHours(1), cancel);
        SpinWait.SpinUntil(() => Done() >= warm, TimeSpan.FromSeconds(120));
    }

    /// <summary>Replays <paramref name="count"/> messages of the night (cycled) at <paramref name="rate"/>/s (0: unlimited) for at most <paramref name="limit"/>; returns how many were produced.</summary>
    public async Task<long> ReplayAsync(int count, double rate, TimeSpan limit, CancellationToken cancel)
    {
        var messages = Enumerable.Range(0, count).Select(i => Night[i % Night.Count]).ToList();
        return await AlertReplayer.ReplayAsync(Producer, DemoCommand.InputTopic, messages, Done, DemoCommand.EmbeddedReplay(Pipelines, Night) with { Rate = rate, TimeLimit = limit, MaxInFlight = MaxInFlight }, cancel);
    }

    /// <summary>The process's CPU time so far.</summary>
    public static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} cores; {(!InSilo ? "pipeline alone" : Silos == 1 ? "one-silo cluster" : $"{Silos}-silo cluster (Redis)")}; rb {Pipeline.Engine.RbModelId}, cnn {Pipeline.Engine.CnnModelId}; {Night.Count} distinct messages{(NightSource is { } from ? " of " + from : " generated")} ({Night.Average(m => m.Length) / 1024:F0} KiB avg); {InputPartitions} input partitions, at most {MaxInFlight} in flight");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        Producer.Dispose();
        foreach (var broker in _brokers.Reverse())
        {
            await broker.DisposeAsync();
        }
        _logs.Dispose();
        _cluster.Dispose();
        _state.Delete(recursive: true);
        _stop.Dispose();
    }
}

/// <summary>What an <see cref="E2eRig"/> runs: the alerts, the broker's shape (alone, N silos, Redis), the CNN and the archive.</summary>
internal sealed record E2eRigOptions
{
    /// <summary>Distinct generated alerts to cycle through, when no <see cref="Night"/> is given.</summary>
    public int Generated { get; init; } = 2000;

    /// <summary>Alert messages to cycle through instead of a generated night (real alerts: `bench e2e --alerts`).</summary>
    public IReadOnlyList<byte[]>? Night { get; init; }

    /// <summary>Where <see cref="Night"/> came from, for the report.</summary>
    public string? NightSource { get; init; }

    /// <summary>CNN model directory, or "none".</summary>
    public string? Cnn { get; init; }

    public bool Alone { get; init; }

    /// <summary>Also keep every published alert in a night archive here.</summary>
    public string? Archive { get; init; }

    public string ArchiveCodec { get; init; } = "null";

    public double ArchiveFlushMs { get; init; }

    public int Silos { get; init; } = 1;

    public string? Redis { get; init; }
}
