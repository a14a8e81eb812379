namespace Broker.Kafka;

/// <summary>
/// The Kafka client configuration cannot work: a malformed bootstrap list, a host that does not resolve, a port
/// with nothing listening, or a cluster that does not answer. The message names the address and the fix.
/// </summary>
public sealed class KafkaConfigurationException : Exception
{
    public KafkaConfigurationException(string message)
        : base(message) { }

    public KafkaConfigurationException(string message, Exception inner)
        : base(message, inner) { }

    public KafkaConfigurationException() { }
}
