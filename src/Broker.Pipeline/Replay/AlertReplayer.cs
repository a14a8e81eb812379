// Feeds recorded alert messages into an input topic at a chosen rate, holding back while the consumers lag:
// the embedded cluster keeps only ~5 MiB per partition, so a producer that runs ahead loses messages before they
// are read. Two bounds hold it back:
// - per partition, the messages stored but not yet read by the consumer (`ReadPosition`): this is the bound that
//   matters for the mock's retention, because a consumer can fall behind on one partition while it keeps up on
//   the others, and a message it has read is safe;
// - in all, the messages produced and not yet finished (`done` counts published or dead-lettered; only its growth
//   during this replay counts), which bounds the work queued inside the pipeline.
// Messages go round robin over the partitions, unkeyed (the sticky partitioner would put a whole burst of unkeyed
// messages in one partition).
using System.Diagnostics;
using Confluent.Kafka;

namespace Broker.Pipeline.Replay;

public sealed record ReplayOptions
{
    /// <summary>Messages per second; 0 = as fast as the lag bounds allow.</summary>
    public double Rate { get; init; }

    /// <summary>Most messages produced and not yet done.</summary>
    public int MaxInFlight { get; init; } = 48;

    /// <summary>
    /// The offset after the last message the consumers read from a partition (-1: none yet). When set, at most
    /// <see cref="MaxUnreadPerPartition"/> stored messages of one partition wait to be read.
    /// </summary>
    public Func<int, long>? ReadPosition { get; init; }

    /// <summary>Most stored and unread messages per partition, when <see cref="ReadPosition"/> is set.</summary>
    public int MaxUnreadPerPartition { get; init; } = 24;

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
        var doneBefore = done();
        var backlog = new PartitionBacklog(PartitionCount(producer, topic));
        var produced = 0;
        var failed = 0;
        bool MayProduce(int partition) =>
            produced - (done() - doneBefore) < options.MaxInFlight
            && (options.ReadPosition is null || backlog.Unread(partition, options.ReadPosition) < options.MaxUnreadPerPartition);

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

            // Round robin over the partitions: even spread, and the replayer knows where each message goes before
            // it is acknowledged, so the unread bound also covers messages still on their way.
            var partition = i % backlog.Partitions;
            while (!MayProduce(partition) && !cancel.IsCancellationRequested && clock.Elapsed < options.TimeLimit)
            {
                await Task.Delay(2, cancel).ConfigureAwait(false);
            }

            if (!MayProduce(partition))
            {
                break; // out of time while held back
            }

            backlog.Sent(partition);
            producer.Produce(new TopicPartition(topic, partition), new Message<byte[]?, byte[]> { Value = messages[i] }, r =>
            {
                if (r.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                }

                backlog.Acknowledged(partition, r.Error.IsError ? -1 : r.Offset.Value);
            });
            produced++;
        }

        producer.Flush(cancel);
        return failed > 0 ? throw new KafkaException(new Error(ErrorCode.Local_Fail, $"{failed} replayed messages were not stored")) : produced;
    }

    private static int PartitionCount(IProducer<byte[]?, byte[]> producer, string topic)
    {
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single();
        return metadata.Error.IsError || metadata.Partitions.Count == 0
            ? throw new KafkaException(new Error(ErrorCode.UnknownTopicOrPart, $"replay: topic {topic} has no partitions ({metadata.Error.Reason})"))
            : metadata.Partitions.Count;
    }

    /// <summary>Per partition: messages sent and not yet acknowledged, and the range of offsets this replay stored.</summary>
    private sealed class PartitionBacklog(int partitions)
    {
        private readonly Lock _gate = new();
        private readonly long[] _pending = new long[partitions];
        private readonly long[] _first = Enumerable.Repeat(-1L, partitions).ToArray();
        private readonly long[] _end = new long[partitions];

        public int Partitions => partitions;

        public void Sent(int partition)
        {
            lock (_gate)
            {
                _pending[partition]++;
            }
        }

        public void Acknowledged(int partition, long offset)
        {
            lock (_gate)
            {
                _pending[partition]--;
                if (offset >= 0)
                {
                    _first[partition] = _first[partition] < 0 ? offset : Math.Min(_first[partition], offset);
                    _end[partition] = Math.Max(_end[partition], offset + 1);
                }
            }
        }

        /// <summary>Messages of the partition that are on their way or stored, and not yet read.</summary>
        public long Unread(int partition, Func<int, long> readPosition)
        {
            lock (_gate)
            {
                var stored = _first[partition] < 0 ? 0 : _end[partition] - Math.Max(_first[partition], readPosition(partition));
                return _pending[partition] + Math.Max(0, stored);
            }
        }
    }
}
