// One input message on its way through a lane (InputWork: how many of its outputs are still unreported), what it
// publishes (PublishedAlert, Output), and how an object-ledger outage shows on /health (LedgerHealth).
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Engine.Shared;
using Broker.Pipeline.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;


namespace Broker.Pipeline;

public sealed partial class BrokerPipeline
{
    // The engine holds alerts while the object ledger fails (never dead-letters them for it): /health says degraded
    // (component "objects") and the log says so once per outage. Meanwhile the queue fills and the consumer waits.
    private sealed class LedgerHealth(PipelineStatus status, ILogger log) : IEngineHealth
    {
        public void Failing(string component, string reason, Exception error, bool first)
        {
            status.Degrade(component, reason);
            if (first)
            {
                LogObjectsFailing(log, error.GetType().Name, error.Message);
            }
        }

        public void Recovered(string component)
        {
            status.Recover(component);
            LogObjectsRecovered(log);
        }
    }

    private sealed record PublishedAlert(Alert Alert, AlertAnnotation Annotation, long PublishTimeMs);

    private sealed record Output(string Topic, byte[] Key, byte[] Value, PublishedAlert Alert);

    /// <summary>One input message on its way: how many of its outputs are still unreported.</summary>
    private sealed class InputWork(ConsumeResult<byte[]?, byte[]?> result, OffsetTracker.PartitionState state, long ingestMs, long ingestTicks)
    {
        private readonly List<Output> _delivered = [];
        private int _remaining;

        public ConsumeResult<byte[]?, byte[]?> Result { get; } = result;

        public OffsetTracker.PartitionState State { get; } = state;

        public long IngestMs { get; } = ingestMs;

        public long IngestTicks { get; } = ingestTicks;

        public SourcePosition Source => new(Result.Topic, Result.Partition.Value, Result.Offset.Value);

        public string? Rejection { get; private set; }

        public void Begin(int outputs) => _remaining = outputs;

        public void Delivered(Output output)
        {
            lock (_delivered)
            {
                _delivered.Add(output);
            }
        }

        public void Reject(string reason)
        {
            lock (_delivered)
            {
                Rejection ??= reason;
            }
        }

        /// <summary>True for the report that was the last one outstanding.</summary>
        public bool Finish() => Interlocked.Decrement(ref _remaining) == 0;

        public IEnumerable<(PublishedAlert Alert, IReadOnlyList<string> Topics)> DeliveredByAlert()
        {
            lock (_delivered)
            {
                return [.. _delivered.GroupBy(o => o.Alert).Select(g => (g.Key, (IReadOnlyList<string>)[.. g.Select(o => o.Topic)]))];
            }
        }
    }
}
