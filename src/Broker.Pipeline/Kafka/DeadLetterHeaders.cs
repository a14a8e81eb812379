// The headers of a dead-letter message (its value is the input's original bytes, its key the input's key).
using System.Globalization;
using System.Text;
using Broker.Engine.Annotation;
using Confluent.Kafka;

namespace Broker.Pipeline.Kafka;

public static class DeadLetterHeaders
{
    public const string Stage = "broker.stage";
    public const string Error = "broker.error";
    public const string SourceTopic = "broker.source.topic";
    public const string SourcePartition = "broker.source.partition";
    public const string SourceOffset = "broker.source.offset";
    public const string Time = "broker.time";

    /// <summary>Longest error text kept in a header.</summary>
    public const int MaxErrorLength = 2000;

    public static Headers Create(string stage, string error, SourcePosition source, long timeMs)
    {
        ArgumentNullException.ThrowIfNull(error);
        var inv = CultureInfo.InvariantCulture;
        return new Headers
        {
            { Stage, Encoding.UTF8.GetBytes(stage) },
            { Error, Encoding.UTF8.GetBytes(error.Length > MaxErrorLength ? error[..MaxErrorLength] : error) },
            { SourceTopic, Encoding.UTF8.GetBytes(source.Topic) },
            { SourcePartition, Encoding.UTF8.GetBytes(source.Partition.ToString(inv)) },
            { SourceOffset, Encoding.UTF8.GetBytes(source.Offset.ToString(inv)) },
            { Time, Encoding.UTF8.GetBytes(timeMs.ToString(inv)) },
        };
    }

    /// <summary>A header's text, or null when absent.</summary>
    public static string? Text(Headers? headers, string name) =>
        headers is not null && headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
