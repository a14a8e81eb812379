// The pipeline's side of Kafka's offsets and group membership: storing what is committable (only the consumer
// thread does), committing at revocation and shutdown, draining a revoked partition's work within the stop's
// budget, and the lag gauge. Why offsets wait for outputs: BrokerPipeline.cs's opening comment.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;


namespace Broker.Pipeline;

public sealed partial class BrokerPipeline
{
    private void StoreCommittable(IConsumer<byte[]?, byte[]?> consumer)
    {
        foreach (var offset in _tracker.TakeCommittable())
        {
            try
            {
                consumer.StoreOffset(offset);
            }
            catch (KafkaException e)
            {
                // The partition moved away meanwhile; its next owner re-reads from the last commit.
                LogStoreSkipped(_log, offset.ToString(), e.Error.Reason);
            }
        }
    }

    /// <summary>Commits the stored offsets; returns null when committed (or nothing to commit), else why not.</summary>
    private string? CommitStored(IConsumer<byte[]?, byte[]?> consumer, string why)
    {
        try
        {
            var committed = consumer.Commit();
            LogCommitted(_log, why, string.Join(",", committed.Select(c => $"{c.TopicPartition}@{c.Offset}")));
            return null;
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
            return null;
        }
        catch (KafkaException e)
        {
            // Not fatal: the offsets are stored and auto-commit retries; at worst alerts are re-read (duplicates).
            LogCommitFailed(_log, why, e.Error.Reason);
            return $"{e.Error.Code}: {e.Error.Reason}";
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        lock (_assignmentGate)
        {
            _assignment = [.. _assignment.Union(partitions)];
            Status.Assigned = [.. _assignment.Select(p => p.ToString())];
        }

        LogAssigned(_log, string.Join(",", partitions));
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Select(p => p.TopicPartition).ToList();
        WaitInFlight(revoked, _drainDeadline is null ? TimeSpan.FromSeconds(_options.Processing.DrainSeconds) : DrainRemaining());
        var drained = _tracker.InFlight(revoked) == 0;
        StoreCommittable(consumer);
        // While closing, the shutdown commit has just run, and what this stores librdkafka commits itself as it
        // unassigns (enable.auto.commit; Close waits for that commit). A synchronous Commit here could wait forever:
        // when the close comes while an assignment is being handed to us, librdkafka terminates the group before it
        // delivers this revocation, and a commit queued after that is never answered (a hang seen in CI).
        var commitFailure = Status.State == PipelineState.Failed ? "the pipeline failed"
            : _closing ? null
            : CommitStored(consumer, "revocation");

        _tracker.Remove(revoked);
        RemoveAssignment(revoked);
        var partitionList = string.Join(",", revoked);
        if (drained && commitFailure is null)
        {
            LogRevoked(_log, partitionList);
        }
        else
        {
            // Say what happened: the next owner re-reads from the last commit, so these alerts may be scored twice.
            LogRevokedUncommitted(_log, partitionList, drained ? "drained" : "not drained within processing.drain_seconds",
                commitFailure ?? "committed what had finished");
        }
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        var lost = partitions.Select(p => p.TopicPartition).ToList();
        _tracker.Remove(lost);
        RemoveAssignment(lost);
        LogLost(_log, string.Join(",", lost));
    }

    private void RemoveAssignment(List<TopicPartition> partitions)
    {
        lock (_assignmentGate)
        {
            _assignment = [.. _assignment.Except(partitions)];
            Status.Assigned = [.. _assignment.Select(p => p.ToString())];
        }
    }

    // What is left of the stop's deadline (zero once past it; the full drain time before a stop began), or
    // atLeast when less is left: a step that must get some time even after the deadline (a flush, leaving the group).
    private TimeSpan DrainRemaining(TimeSpan atLeast = default)
    {
        var left = _drainDeadline is { } deadline
            ? TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency))
            : TimeSpan.FromSeconds(_options.Processing.DrainSeconds);
        return left > atLeast ? left : atLeast;
    }

    private void WaitInFlight(List<TopicPartition>? partitions, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (_tracker.InFlight(partitions) > 0 && clock.Elapsed < limit && !_failed.IsCancellationRequested)
        {
            Thread.Sleep(5);
        }
    }

    /// <summary>High watermark minus position for each assigned partition (empty when not running).</summary>
    public IReadOnlyList<(string Topic, int Partition, long Lag)> PartitionLag() =>
        [.. ObserveLag().Select(m => ((string)m.Tags[0].Value!, (int)m.Tags[1].Value!, m.Value))];

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        var consumer = _consumer;
        if (consumer is null)
        {
            return [];
        }

        List<TopicPartition> assigned;
        lock (_assignmentGate)
        {
            assigned = _assignment;
        }

        var result = new List<Measurement<long>>(assigned.Count);
        foreach (var tp in assigned)
        {
            try
            {
                var marks = consumer.GetWatermarkOffsets(tp);
                var position = consumer.Position(tp);
                if (marks.High.Value >= 0 && position.Value >= 0)
                {
                    result.Add(new Measurement<long>(marks.High.Value - position.Value,
                        new KeyValuePair<string, object?>("topic", tp.Topic), new KeyValuePair<string, object?>("partition", tp.Partition.Value)));
                }
            }
            catch (KafkaException)
            {
            }
        }

        return result;
    }
}
