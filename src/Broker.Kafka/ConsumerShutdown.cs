// Leaving a consumer group before closing the consumer. librdkafka's close, when it meets an assignment still being
// handed to the application (a stop within moments of subscribing, or during a rebalance), terminates the group first
// and then delivers that assignment and its revocation on the close's own queue; anything those callbacks ask of the
// group is never answered: a synchronous commit, and the rebalance protocol that Confluent.Kafka's own callback reads
// (librdkafka issue 4041). The close then waits forever (our CI did). Unsubscribing first, while this thread keeps
// polling, lets the handover finish and the revocation run with the group alive; the close then finds nothing assigned.
using System.Diagnostics;
using Confluent.Kafka;

namespace Broker.Kafka;

public static class ConsumerShutdown
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    // An assignment being handed over becomes visible only when a poll serves its callback, so an empty assignment
    // counts as settled after this many polls in a row that returned nothing.
    private const int QuietPolls = 3;

    /// <summary>
    /// Unsubscribes, then polls (serving the assignment and revocation callbacks this causes) until nothing is
    /// assigned and a few polls were quiet, or <paramref name="budget"/> has passed. Call it on the thread that
    /// consumes, after the last message was taken and before <c>Close</c>.
    /// </summary>
    /// <remarks>
    /// Messages polled meanwhile are dropped unprocessed; their offsets are not stored, so whoever owns the partition
    /// next reads them again. What the caller had stored is committed by librdkafka as the partitions are unassigned
    /// (enable.auto.commit), or by the caller's revocation handler.
    /// </remarks>
    /// <returns>null once the group was left; otherwise why not (the budget passed, or the client's error).</returns>
    public static string? LeaveGroup<TKey, TValue>(IConsumer<TKey, TValue> consumer, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        try
        {
            consumer.Unsubscribe();
            var clock = Stopwatch.StartNew();
            var quiet = 0;
            while (quiet < QuietPolls)
            {
                if (clock.Elapsed >= budget)
                {
                    return $"still {consumer.Assignment.Count} partition(s) assigned after {budget.TotalSeconds:0.#} s";
                }

                var result = consumer.Consume(Poll);
                quiet = result is null && consumer.Assignment.Count == 0 ? quiet + 1 : 0;
            }

            return null;
        }
        catch (KafkaException e)
        {
            return e.Error.Reason;
        }
    }
}
