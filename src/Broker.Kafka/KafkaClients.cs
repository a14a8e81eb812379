// Builds Confluent.Kafka clients after making sure librdkafka is loaded, so the first failure is a clear one.
using Broker.Kafka.Native;
using Confluent.Kafka;

namespace Broker.Kafka;

/// <summary>Entry point for creating Kafka clients in this project.</summary>
public static class KafkaClients
{
    /// <summary>
    /// Settings that make consumers responsive against the embedded cluster (empty fetches otherwise wait the
    /// full fetch.wait.max.ms) and detect a dead group member quickly. Harmless against a real cluster. With the
    /// KIP-848 protocol (group.protocol=consumer) the session and heartbeat are the group coordinator's settings,
    /// and librdkafka refuses them on the client, so they are only set for the classic protocol.
    /// </summary>
    public static ConsumerConfig ApplyLowLatency(this ConsumerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.FetchWaitMaxMs = 10;
        if (config.GroupProtocol != GroupProtocol.Consumer)
        {
            config.SessionTimeoutMs ??= 6000;
            config.HeartbeatIntervalMs ??= 1000;
        }

        return config;
    }

    /// <summary>Reads a group protocol name as configured: "classic" (every Kafka) or "consumer" (KIP-848, Kafka 4.0+).</summary>
    public static bool TryParseGroupProtocol(string? name, out GroupProtocol protocol)
    {
        protocol = name == "consumer" ? GroupProtocol.Consumer : GroupProtocol.Classic;
        return name is "classic" or "consumer";
    }

    /// <summary><see cref="TryParseGroupProtocol"/> for a name already validated; anything else is an ArgumentException.</summary>
    public static GroupProtocol ParseGroupProtocol(string name) =>
        TryParseGroupProtocol(name, out var protocol)
            ? protocol
            : throw new ArgumentException($"group protocol is 'classic' or 'consumer', not '{name}'.", nameof(name));

    public static IProducer<TKey, TValue> Producer<TKey, TValue>(ProducerConfig config, Action<ProducerBuilder<TKey, TValue>>? configure = null)
    {
        LibrdkafkaLoader.EnsureLoaded();
        var builder = new ProducerBuilder<TKey, TValue>(config);
        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>
    /// Produces one message, waiting (serving delivery reports) while librdkafka's local queue is full; any other
    /// failure to enqueue is thrown as usual. For producers without a pipeline's own backpressure (replays).
    /// </summary>
    public static void ProduceWaiting<TKey, TValue>(IProducer<TKey, TValue> producer, string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>> delivered)
    {
        ArgumentNullException.ThrowIfNull(producer);
        while (true)
        {
            try
            {
                producer.Produce(topic, message, delivered);
                return;
            }
            catch (ProduceException<TKey, TValue> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    public static IConsumer<TKey, TValue> Consumer<TKey, TValue>(ConsumerConfig config, Action<ConsumerBuilder<TKey, TValue>>? configure = null)
    {
        LibrdkafkaLoader.EnsureLoaded();
        var builder = new ConsumerBuilder<TKey, TValue>(config);
        configure?.Invoke(builder);
        return builder.Build();
    }

    public static IAdminClient Admin(AdminClientConfig config)
    {
        LibrdkafkaLoader.EnsureLoaded();
        return new AdminClientBuilder(config).Build();
    }
}
