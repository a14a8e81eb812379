// The last N alerts this process published, with their annotations: what the dashboard's filter playground
// evaluates a filter text on before it is saved. An observer in the chain (it passes every call on to the next one).
// Bounded: N alerts hold their decoded records and the message bytes they point into (~80 KB each for ZTF).
using Broker.Alerts.Model;
using Broker.Engine.Annotation;

namespace Broker.Pipeline;

public sealed class RecentAlerts(int capacity, IPipelineObserver? next) : IPipelineObserver
{
    private readonly (Alert Alert, AlertAnnotation Annotation)[] _ring = new (Alert, AlertAnnotation)[capacity];
    private readonly Lock _gate = new();
    private long _count;

    public int Capacity => _ring.Length;

    public void Published(Alert alert, AlertAnnotation annotation, IReadOnlyList<string> topics, double ingestToPublishMs)
    {
        if (!annotation.Redelivered)
        {
            lock (_gate)
            {
                _ring[(int)(_count++ % _ring.Length)] = (alert, annotation);
            }
        }

        next?.Published(alert, annotation, topics, ingestToPublishMs);
    }

    public void DeadLettered(SourcePosition source, string stage, string error) => next?.DeadLettered(source, stage, error);

    /// <summary>The held alerts, newest first (at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<(Alert Alert, AlertAnnotation Annotation)> Latest(int limit)
    {
        lock (_gate)
        {
            var held = (int)Math.Min(_count, _ring.Length);
            var result = new List<(Alert, AlertAnnotation)>(Math.Min(held, limit));
            for (var i = 0; i < held && result.Count < limit; i++)
            {
                result.Add(_ring[(int)((_count - 1 - i) % _ring.Length)]);
            }

            return result;
        }
    }
}
