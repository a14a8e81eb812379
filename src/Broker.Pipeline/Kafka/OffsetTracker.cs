// At-least-once bookkeeping: per assigned partition, the offsets read and not yet fully published. An offset may
// be committed only when it and every earlier offset of its partition have all their outputs stored, so the
// committable position is the first offset still in flight (or one past the last read). Lanes finish out of
// order; this is what keeps the commit honest. An offset given up at a stop (Abandon) is not waited for and
// holds the commit before it. A revoked partition's state is dropped: late completions for it
// are ignored (the next owner re-reads from the last commit).
using Confluent.Kafka;

namespace Broker.Pipeline.Kafka;

public sealed class OffsetTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];

    /// <summary>Records that <paramref name="offset"/> was read; returns the token its completion must present.</summary>
    public PartitionState Begin(TopicPartition partition, long offset)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(partition, out var state))
            {
                state = new PartitionState(partition);
                _partitions[partition] = state;
            }

            state.Begin(offset);
            return state;
        }
    }

    /// <summary>Partitions whose committable offset moved since the last call, with that offset.</summary>
    public List<TopicPartitionOffset> TakeCommittable()
    {
        var result = new List<TopicPartitionOffset>();
        lock (_gate)
        {
            foreach (var state in _partitions.Values)
            {
                if (state.TakeCommittable() is { } offset)
                {
                    result.Add(new TopicPartitionOffset(state.Partition, new Offset(offset)));
                }
            }
        }

        return result;
    }

    /// <summary>Offsets read and not yet completed, over the given partitions (all when null).</summary>
    public int InFlight(IEnumerable<TopicPartition>? partitions = null)
    {
        lock (_gate)
        {
            return partitions is null
                ? _partitions.Values.Sum(s => s.InFlight)
                : partitions.Sum(p => _partitions.TryGetValue(p, out var s) ? s.InFlight : 0);
        }
    }

    /// <summary>Forgets partitions (revoked or lost); their late completions will be ignored.</summary>
    public void Remove(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var p in partitions)
            {
                if (_partitions.Remove(p, out var state))
                {
                    state.Retire();
                }
            }
        }
    }

    /// <summary>One partition's in-flight offsets.</summary>
    public sealed class PartitionState
    {
        private readonly Queue<long> _order = new();
        private readonly HashSet<long> _done = [];
        private readonly HashSet<long> _abandoned = [];
        private long _committable = -1;
        private long _taken = -1;
        private bool _retired;

        internal PartitionState(TopicPartition partition) => Partition = partition;

        public TopicPartition Partition { get; }

        internal int InFlight
        {
            get
            {
                lock (_order)
                {
                    return _order.Count - _done.Count - _abandoned.Count;
                }
            }
        }

        /// <summary>Marks <paramref name="offset"/> fully published.</summary>
        public void Complete(long offset)
        {
            lock (_order)
            {
                if (_retired)
                {
                    return;
                }

                _done.Add(offset);
                while (_order.TryPeek(out var head) && _done.Remove(head))
                {
                    _order.Dequeue();
                    _committable = head + 1;
                }
            }
        }

        /// <summary>
        /// Gives <paramref name="offset"/> up for this run (a stop came before it could be processed): it no longer
        /// counts as in flight, so a drain does not wait for it, and it is never completed, so neither it nor any later
        /// offset of the partition is committed. The next run re-reads it.
        /// </summary>
        public void Abandon(long offset)
        {
            lock (_order)
            {
                if (!_retired && !_done.Contains(offset) && _order.Contains(offset))
                {
                    _abandoned.Add(offset);
                }
            }
        }

        internal void Begin(long offset)
        {
            lock (_order)
            {
                _order.Enqueue(offset);
            }
        }

        internal long? TakeCommittable()
        {
            lock (_order)
            {
                if (_committable <= _taken)
                {
                    return null;
                }

                _taken = _committable;
                return _committable;
            }
        }

        internal void Retire()
        {
            lock (_order)
            {
                _retired = true;
            }
        }
    }
}
