// What `bench e2e` and `bench soak` share: the embedded Kafka (12 input partitions), the demo's configuration, the
// pipeline in a one-silo cluster (or alone, as `run --no-cluster`), optionally with a night archive, a producer, the
// generated night to cycle through, and a warm-up. One rig per process run; each measurement replays through it.
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
    private readonly BrokerHost _broker;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private E2eRig(EmbeddedKafkaCluster cluster, DirectoryInfo state, ILoggerFactory logs, BrokerHost broker, IReadOnlyList<byte[]> night, string? archiveRoot)
    {
        (_cluster, _state, _logs, _broker) = (cluster, state, logs, broker);
        Night = night;
        ArchiveRoot = archiveRoot;
        Producer = KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 });
        _running = Pipeline.RunAsync(_stop.Token);
    }

    public BrokerPipeline Pipeline => _broker.Pipeline;

    public bool InSilo => _broker.IsSilo;

    public NightArchive? Archive => _broker.Archive;

    public string? ArchiveRoot { get; }

    public IReadOnlyList<byte[]> Night { get; }

    public IProducer<byte[]?, byte[]> Producer { get; }

    /// <summary>Input messages finished: published or dead-lettered.</summary>
    public long Done() => Pipeline.Status.Published + Pipeline.Status.DeadLettered;

    public static async Task<E2eRig> StartAsync(int generated, string? cnn, bool alone, string? archive, string archiveCodec, double archiveFlushMs)
    {
        var inv = CultureInfo.InvariantCulture;
        var night = DemoNight.Generated(generated, 3);
        var cluster = EmbeddedKafkaCluster.Start(3, [new TopicSpec(DemoCommand.InputTopic, InputPartitions)]);
        var state = Directory.CreateTempSubdirectory("broker-bench-");
        var options = DemoCommand.Options(cluster.BootstrapServers, state.FullName) with { Metrics = new() { Listen = null } };
        options = options with { Models = options.Models with { Cnn = CnnCommands.ModelDirOrNone(cnn) } };
        var archiveRoot = archive is { } a ? Path.Combine(Path.GetFullPath(a), "bench-" + Environment.ProcessId.ToString(inv)) : null;
        options = options with { Archive = new Broker.Archive.ArchiveOptions { Directory = archiveRoot, Writer = "bench", Codec = archiveCodec, FlushMs = archiveFlushMs } };
        foreach (var topic in options.OutputTopics)
        {
            cluster.CreateTopic(topic, 4);
        }

        var logs = PipelineHost.Logging(false, LogLevel.Warning);
#pragma warning disable CA2000 // owned by the rig from here, which disposes it
        var broker = await BrokerHost.StartAsync(options with { Cluster = options.Cluster with { Dashboard = false } }, logs, alone ? BrokerMode.Alone : BrokerMode.Silo);
        return new E2eRig(cluster, state, logs, broker, night, archiveRoot);
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
        return await AlertReplayer.ReplayAsync(Producer, DemoCommand.InputTopic, messages, Done, DemoCommand.EmbeddedReplay(Pipeline, Night) with { Rate = rate, TimeLimit = limit, MaxInFlight = MaxInFlight }, cancel);
    }

    /// <summary>The process's CPU time so far.</summary>
    public static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} cores; {(InSilo ? "one-silo cluster" : "pipeline alone")}; rb {Pipeline.Engine.RbModelId}, cnn {Pipeline.Engine.CnnModelId}; {Night.Count} distinct messages ({Night.Average(m => m.Length) / 1024:F0} KiB avg); {InputPartitions} input partitions, at most {MaxInFlight} in flight");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        Producer.Dispose();
        await _broker.DisposeAsync();
        _logs.Dispose();
        _cluster.Dispose();
        _state.Delete(recursive: true);
        _stop.Dispose();
    }
}
