namespace Broker.Kafka;

/// <summary>The native librdkafka library is missing or cannot be loaded. The message names the fix.</summary>
public sealed class KafkaNativeLibraryException : Exception
{
    public KafkaNativeLibraryException(string message)
        : base(message) { }

    public KafkaNativeLibraryException(string message, Exception inner)
        : base(message, inner) { }

    public KafkaNativeLibraryException() { }
}
