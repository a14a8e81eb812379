// A subscription: which annotated alerts a follow-up team wants, and in which payload. Each filter has its own
// output topic, <prefix>.filtered.<name> unless it names one. A filter must never stop the stream: FilterSet catches what one throws.
using Broker.Alerts.Model;
using Broker.Engine.Annotation;

namespace Broker.Engine.Routing;

public interface IAlertFilter
{
    /// <summary>Unique name; also the last part of the output topic.</summary>
    string Name { get; }

    Payload Payload { get; }

    /// <summary>The output topic, when not the default &lt;prefix&gt;.filtered.&lt;name&gt;.</summary>
    string? Topic { get; }

    bool Matches(Alert alert, AlertAnnotation annotation);
}
