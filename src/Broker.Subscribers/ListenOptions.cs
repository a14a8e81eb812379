// What `broker listen` is asked to do: which topics of which cluster, as which consumer group, from where, how many,
// and the Kafka client settings a subscriber's cluster needs (SASL, TLS: any librdkafka property, passed through).
using System.Globalization;

namespace Broker.Subscribers;

public sealed record ListenOptions
{
    public required IReadOnlyList<string> Topics { get; init; }

    public required string BootstrapServers { get; init; }

    /// <summary>The subscriber's own consumer group: a second run with the same group continues where the first stopped.</summary>
    public required string GroupId { get; init; }

    /// <summary>Start every assigned partition at its first retained message, whatever the group committed.</summary>
    public bool FromBeginning { get; init; }

    /// <summary>Start every assigned partition at the first message written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Stop after this many distinct alerts.</summary>
    public long? Max { get; init; }

    /// <summary>Stop once every assigned partition has been read to its end.</summary>
    public bool UntilEnd { get; init; }

    /// <summary>librdkafka properties set on the consumer last (security.protocol, sasl.*, ssl.*, ...).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>An ISO 8601 time, or an age before <paramref name="now"/>: 90s, 90m, 12h, 2d.</summary>
    public static bool TryParseSince(string text, DateTimeOffset now, out DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(text);

        // An age first: a bare "12h" must not be read by the date parser as an hour of today.
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            TimeSpan? age = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (age is { } ago)
            {
                at = now - ago;
                return true;
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
    }
}
