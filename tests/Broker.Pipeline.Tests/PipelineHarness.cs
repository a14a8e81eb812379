using System.Collections.Concurrent;
using Broker.Engine;
using Broker.Filters;
using Broker.Kafka;
using Broker.Kafka.Embedded;
using Broker.Pipeline.Configuration;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Pipeline.Tests;

/// <summary>An embedded cluster, an input topic, pipelines on it, and a reader that collects every output as it appears.</summary>
internal sealed class PipelineHarness : IDisposable
{
    public const int Partitions = 4;

    public PipelineHarness(string name)
    {
        Cluster = EmbeddedKafkaCluster.Start(3);
        Input = name + ".in";
        Prefix = name;
        Cluster.CreateTopic(Input, Partitions);
        foreach (var t in new[] { "annotated", "deadletter", "filtered.real", "filtered.ztf", "filtered.none" })
        {
            Cluster.CreateTopic(Prefix + "." + t, Partitions);
        }
    }

    public EmbeddedKafkaCluster Cluster { get; }

    public string Input { get; }

    public string Prefix { get; }

    public PipelineOptions Options(string group, string? metrics = null) => new PipelineOptions
    {
        Kafka = new KafkaOptions { BootstrapServers = Cluster.BootstrapServers, GroupId = group, InputTopics = [Input], OutputPrefix = Prefix, GroupProtocol = "consumer" },
        Schemas = new SchemaOptions { OutputDirectory = Path.Combine(Path.GetTempPath(), "broker-test-schemas") },
        Models = new ModelOptions { Rb = TestData.RbModel, Cnn = TestData.CnnModel },
        Processing = new ProcessingOptions { Lanes = 8, QueueCapacity = 16, DrainSeconds = 20 },
        Metrics = new MetricsOptions { Listen = metrics },
        Filters =
        [
            new FilterDefinition { Name = "real", Where = "rb >= 0.5", Payload = Broker.Engine.Annotation.Payload.Light },
            new FilterDefinition { Name = "ztf", Where = "survey = 'ztf'", Payload = Broker.Engine.Annotation.Payload.Full },
            new FilterDefinition { Name = "none", Where = "rb >= 2" },
        ],
    };

    public BrokerPipeline Pipeline(string group, IPipelineObserver? observer = null, string? metrics = null) =>
        BrokerPipeline.Create(Options(group, metrics), NullLogger.Instance, observer);

    public IProducer<byte[]?, byte[]> Producer() =>
        KafkaClients.Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = Cluster.BootstrapServers, LingerMs = 1 });

    /// <summary>
    /// Produces <paramref name="messages"/> keyed by their index and waits for the acknowledgements. Keyed, because
    /// librdkafka's sticky partitioner puts a burst of unkeyed messages in one partition, and the embedded cluster
    /// forgets all but the last ~5 MiB of a partition: a burst of alerts there could vanish before it is read.
    /// </summary>
    public void Produce(IProducer<byte[]?, byte[]> producer, IEnumerable<byte[]> messages, int firstKey = 0)
    {
        ArgumentNullException.ThrowIfNull(producer);
        var key = firstKey;
        foreach (var m in messages)
        {
            producer.Produce(Input, new Message<byte[]?, byte[]> { Key = BitConverter.GetBytes(key++), Value = m });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    public void Dispose() => Cluster.Dispose();
}

/// <summary>Reads output topics from the beginning on a background thread, keeping every record (the mock forgets old ones).</summary>
internal sealed class OutputReader : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public OutputReader(string bootstrap, params string[] topics)
    {
        var consumer = KafkaClients.Consumer<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }.ApplyLowLatency());
        consumer.Subscribe(topics);
        _thread = new Thread(() =>
        {
            using (consumer)
            {
                while (!_stop.IsCancellationRequested)
                {
                    var r = consumer.Consume(TimeSpan.FromMilliseconds(50));
                    if (r is not null && !r.IsPartitionEOF)
                    {
                        Records.Add(r);
                    }
                }

                consumer.Close();
            }
        })
        { IsBackground = true };
        _thread.Start();
    }

    public ConcurrentBag<ConsumeResult<byte[]?, byte[]>> Records { get; } = [];

    public List<ConsumeResult<byte[]?, byte[]>> From(string topic) => [.. Records.Where(r => r.Topic == topic)];

    /// <summary>Waits (bounded) until <paramref name="done"/> holds.</summary>
    public bool WaitFor(Func<OutputReader, bool> done, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (done(this))
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return done(this);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(15));
        _stop.Dispose();
    }
}
