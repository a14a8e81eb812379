// The pipeline's Kafka client settings: at-least-once consumption (offsets stored by the pipeline only after the
// outputs are stored, committed by librdkafka's auto-commit and explicitly on revocation and shutdown) and an
// idempotent producer that waits for every in-sync replica.
using Broker.Kafka;
using Broker.Pipeline.Configuration;
using Confluent.Kafka;

namespace Broker.Pipeline.Kafka;

public static class KafkaSettings
{
    public static ConsumerConfig Consumer(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ConsumerConfig(new Dictionary<string, string>(options.Kafka.Settings))
        {
            BootstrapServers = options.Kafka.BootstrapServers,
            GroupId = options.Kafka.GroupId,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 1000,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = options.Kafka.AutoOffsetReset == "latest" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            GroupProtocol = KafkaClients.ParseGroupProtocol(options.Kafka.GroupProtocol),
            ClientId = $"broker-{Environment.MachineName}-{Environment.ProcessId}",
        }.ApplyLowLatency();

        // queued.max.messages.kbytes stays at librdkafka's 64 MiB: once its read-ahead queue is over that bound,
        // librdkafka 2.0 stops fetching and resumes late, and at 16 MiB (~200 ZTF alerts) the pipeline ran at a
        // third of its speed with idle cores (`broker bench e2e`, docs/performance.md).
        return config;
    }

    /// <summary>librdkafka's default bound on produced-but-undelivered messages is 1 GiB; the broker's is this.</summary>
    public const int OutputQueueKbytes = 128 * 1024;

    public static ProducerConfig Producer(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ProducerConfig(new Dictionary<string, string>(options.Kafka.Settings))
        {
            BootstrapServers = options.Kafka.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 2,
            // Java-compatible key placement: the same alert id lands in the same partition as from a Java producer.
            Partitioner = Partitioner.Murmur2Random,
            MessageMaxBytes = 8 * 1024 * 1024,
            ClientId = $"broker-{Environment.MachineName}-{Environment.ProcessId}",
        };

        // Outputs waiting for their delivery report are held twice (librdkafka's copy, and the managed payload the
        // report returns), so a slow or stalled Kafka could hold 2 GiB at librdkafka's default. At this bound the
        // lanes wait (ProduceAsync retries on QueueFull), the queue fills and the consumer stops reading: memory
        // stays bounded and nothing is dropped. ~1,600 full ZTF payloads; a setting in kafka.settings wins.
        if (!options.Kafka.Settings.ContainsKey("queue.buffering.max.kbytes"))
        {
            config.QueueBufferingMaxKbytes = OutputQueueKbytes;
        }

        return config;
    }
}
