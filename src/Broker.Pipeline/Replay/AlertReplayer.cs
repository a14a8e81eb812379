// Feeds recorded alert messages into an input topic at a chosen rate, holding back while the consumers lag:
// the embedded cluster keeps only ~5 MiB per partition, so a producer that runs ahead loses messages before they
// are read. `done` says how many messages the consuming side has finished (published or dead-lettered).
using System.Diagnostics;
using Confluent.Kafka;

namespace Broker.Pipeline.Replay;

public sealed record ReplayOptions
{
    /// <summary>Messages per second; 0 = as fast as the lag bound allows.</summary>
    public double Rate { get; init; }

    /// <summary>Most messages produced and not yet done.</summary>
    public int MaxInFlight { get; init; } = 48;

    /// <summary>Stop producing after this long even if messages remain.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMinutes(10);
}

public static class AlertReplayer
{
    /// <summary>Produces <paramref name="messages"/> in order; returns how many were produced (and acknowledged).</summary>
    public static async Task<int> ReplayAsync(IProducer<byte[]?, byte[]> producer, string topic, IReadOnlyList<byte[]> messages, Func<long> done, ReplayOptions options, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(done);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var produced = 0;
        var failed = 0;
        for (var i = 0; i < messages.Count && !cancel.IsCancellationRequested && clock.Elapsed < options.TimeLimit; i++)
        {
            if (options.Rate > 0)
            {
                var due = TimeSpan.FromSeconds(i / options.Rate) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancel).ConfigureAwait(false);
                }
            }

            while (produced - done() >= options.MaxInFlight && !cancel.IsCancellationRequested && clock.Elapsed < options.TimeLimit)
            {
                await Task.Delay(2, cancel).ConfigureAwait(false);
            }

            producer.Produce(topic, new Message<byte[]?, byte[]> { Value = messages[i] }, r =>
            {
                if (r.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                }
            });
            produced++;
        }

        producer.Flush(cancel);
        return failed > 0 ? throw new KafkaException(new Error(ErrorCode.Local_Fail, $"{failed} replayed messages were not stored")) : produced;
    }
}
