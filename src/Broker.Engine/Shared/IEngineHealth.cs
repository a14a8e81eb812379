// Where the engine says that a service it depends on (the object ledger: a grain and its storage) fails and
// recovers. The Kafka runner's status turns this into /health's "degraded" and a log line; a replay needs neither.
namespace Broker.Engine.Shared;

public interface IEngineHealth
{
    /// <summary>The component fails; the engine holds the alert and retries (called on every failed attempt; <paramref name="first"/> for the first of an outage).</summary>
    void Failing(string component, string reason, Exception error, bool first);

    /// <summary>The component answers again after failing.</summary>
    void Recovered(string component);
}
