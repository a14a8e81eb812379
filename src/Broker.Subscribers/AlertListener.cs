// The subscriber's consume loop, after Confluent.Kafka's own example: subscribe with the subscriber's group, read,
// hand each distinct alert to the caller, and only once the caller has kept it (printed, saved) store its offset,
// which the client commits; on stop the stored offsets are committed before the consumer leaves its group, so a
// next run starts after the last alert kept and never skips one. An alert that arrives twice (a redelivery, or on
// two subscribed topics) is handed over once per run. A message that is not broker output is reported with its
// topic, partition, offset and reason, and passed over.
using Broker.Kafka;
using Confluent.Kafka;

namespace Broker.Subscribers;

/// <summary>What a listen did.</summary>
public sealed record ListenSummary(long Messages, long Alerts, long Duplicates, long Unreadable, bool ReachedEnd, bool Committed);

/// <summary>A listen that cannot start: a bad client setting, an unreachable start time. Says which.</summary>
public sealed class ListenException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class AlertListener
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private readonly ListenOptions _options;
    private readonly OutputMessageReader _reader;
    private readonly HashSet<TopicPartition> _started = [];

    public AlertListener(ListenOptions options, OutputMessageReader reader)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
    }

    /// <summary>Consumes until <paramref name="stop"/>, the maximum, or (UntilEnd) the end of every partition.</summary>
    /// <param name="keep">Called once per distinct alert; its offset is stored when it returns.</param>
    /// <param name="unreadable">Called for a message that is not broker output.</param>
    /// <exception cref="ListenException">The consumer cannot be built with these settings.</exception>
    public ListenSummary Run(Action<ReceivedAlert> keep, Action<OutputMessageException> unreadable, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(keep);
        ArgumentNullException.ThrowIfNull(unreadable);
        var config = new ConsumerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.GroupId,
            AutoOffsetReset = AutoOffsetReset.Latest,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = _options.UntilEnd,
            ClientId = "broker-listen",
        }.ApplyLowLatency();
        foreach (var (key, value) in _options.Settings)
        {
            config.Set(key, value);
        }

        var assigned = new HashSet<TopicPartition>();
        var atEnd = new HashSet<TopicPartition>();
        IConsumer<byte[]?, byte[]> consumer;
        try
        {
            consumer = KafkaClients.Consumer<byte[]?, byte[]>(config, b => b
                .SetPartitionsAssignedHandler((c, partitions) => Start(c, partitions, assigned, atEnd))
                .SetPartitionsRevokedHandler((_, partitions) =>
                {
                    foreach (var p in partitions)
                    {
                        assigned.Remove(p.TopicPartition);
                        atEnd.Remove(p.TopicPartition);
                    }
                }));
        }
        catch (Exception e) when (e is KafkaException or ArgumentException or InvalidOperationException)
        {
            throw new ListenException($"the Kafka consumer cannot be built with these settings: {e.Message}", e);
        }

        var seen = new HashSet<(string, long)>();
        long messages = 0, alerts = 0, duplicates = 0, bad = 0;
        var reachedEnd = false;
        try
        {
            consumer.Subscribe(_options.Topics);
            while (!stop.IsCancellationRequested && (_options.Max is not { } max || alerts < max))
            {
                ConsumeResult<byte[]?, byte[]>? result;
                try
                {
                    result = consumer.Consume(Poll);
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    // A topic that does not exist yet, a transient broker error: say so and keep listening.
                    unreadable(new OutputMessageException($"{e.ConsumerRecord?.Topic ?? string.Join(",", _options.Topics)}: {e.Error.Reason}", e));
                    continue;
                }

                if (result is null)
                {
                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    atEnd.Add(result.TopicPartition);
                    if (_options.UntilEnd && assigned.Count > 0 && assigned.IsSubsetOf(atEnd))
                    {
                        reachedEnd = true;
                        break;
                    }

                    continue;
                }

                atEnd.Remove(result.TopicPartition);
                messages++;
                try
                {
                    var received = _reader.Read(result.Message.Value, result.Topic, result.Partition.Value, result.Offset.Value);
                    if (seen.Add((received.Survey, received.AlertId)))
                    {
                        alerts++;
                        keep(received);
                    }
                    else
                    {
                        duplicates++;
                    }
                }
                catch (OutputMessageException e)
                {
                    bad++;
                    unreadable(e);
                }

                consumer.StoreOffset(result);
            }
        }
        finally
        {
            var committed = Commit(consumer);
            _ = ConsumerShutdown.LeaveGroup(consumer, TimeSpan.FromSeconds(5)); // so the close cannot hang (ConsumerShutdown)
            consumer.Close();
            consumer.Dispose();
            Summary = new ListenSummary(messages, alerts, duplicates, bad, reachedEnd, committed);
        }

        return Summary;
    }

    /// <summary>The last run's summary (also set when it ended by an exception).</summary>
    public ListenSummary? Summary { get; private set; }

    // Where each newly assigned partition starts: the group's committed offset (Offset.Unset), its beginning, or the
    // first message at or after --since.
    private IEnumerable<TopicPartitionOffset> Start(IConsumer<byte[]?, byte[]> consumer, List<TopicPartition> partitions, HashSet<TopicPartition> assigned, HashSet<TopicPartition> atEnd)
    {
        foreach (var p in partitions)
        {
            assigned.Add(p);
            atEnd.Remove(p);
        }

        // Only a partition's first assignment in this run is moved; after a rebalance it resumes where this run was.
        var fresh = partitions.Where(_started.Add).ToList();
        var moved = new Dictionary<TopicPartition, Offset>();
        if (_options.Since is { } since && fresh.Count > 0)
        {
            var at = new Timestamp(since.UtcDateTime);
            foreach (var o in consumer.OffsetsForTimes([.. fresh.Select(p => new TopicPartitionTimestamp(p, at))], TimeSpan.FromSeconds(30)))
            {
                moved[o.TopicPartition] = o.Offset;
            }
        }
        else if (_options.FromBeginning)
        {
            foreach (var p in fresh)
            {
                moved[p] = Offset.Beginning;
            }
        }

        return partitions.Select(p => new TopicPartitionOffset(p, moved.GetValueOrDefault(p, Offset.Unset)));
    }

    private static bool Commit(IConsumer<byte[]?, byte[]> consumer)
    {
        try
        {
            consumer.Commit();
            return true;
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
            return true; // nothing new was stored since the last commit
        }
        catch (KafkaException)
        {
            return false;
        }
    }
}
