// Hooks for whoever hosts the pipeline in-process (the demo's live progress and summary, tests). Called after the
// outputs are stored, on Kafka's delivery thread: keep them short.
using Broker.Alerts.Model;
using Broker.Engine.Annotation;

namespace Broker.Pipeline;

public interface IPipelineObserver
{
    /// <summary>An alert's outputs were all stored; <paramref name="topics"/> lists where it went.</summary>
    void Published(Alert alert, AlertAnnotation annotation, IReadOnlyList<string> topics, double ingestToPublishMs);

    /// <summary>An input message went to the dead-letter topic.</summary>
    void DeadLettered(SourcePosition source, string stage, string error);
}
