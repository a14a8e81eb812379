// Reads a broker's output topics as the messages appear (the embedded cluster forgets old ones), handing each
// message's topic and alert id (its key, decimal text) to the caller, until stopped. What the crash and failover
// tests count outputs with.
using System.Globalization;
using System.Text;
using Broker.Kafka;
using Confluent.Kafka;

namespace Broker.Cli.Tests;

internal static class OutputKeys
{
    public static void Read(string bootstrap, string group, IEnumerable<string> topics, Action<string, long> seen, CancellationToken stop)
    {
        using var consumer = KafkaClients.Consumer<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }.ApplyLowLatency());
        consumer.Subscribe(topics);
        while (!stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { IsPartitionEOF: false } r)
            {
                seen(r.Topic, long.Parse(Encoding.ASCII.GetString(r.Message.Key), CultureInfo.InvariantCulture));
            }
        }

        consumer.Close();
    }
}
