using System.Globalization;

namespace Broker.Kafka.Embedded;

/// <summary>A topic to create on the embedded cluster, written on the command line as <c>name:partitions</c>.</summary>
public sealed record TopicSpec(string Name, int Partitions)
{
    /// <summary>Parses <c>name</c> (with <see cref="DefaultPartitions"/> partitions) or <c>name:partitions</c>.</summary>
    public static TopicSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.LastIndexOf(':');
        var name = colon < 0 ? text : text[..colon];
        var partitions = DefaultPartitions;
        if (colon >= 0
            && (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out partitions)
                || partitions < 1 || partitions > 1000))
        {
            throw new FormatException($"Topic '{text}': the partition count after ':' must be a whole number from 1 to 1000.");
        }

        if (!IsValidName(name))
        {
            throw new FormatException(
                $"Topic '{text}': a Kafka topic name is 1-249 characters of letters, digits, '.', '_' and '-'.");
        }

        return new TopicSpec(name, partitions);
    }

    /// <summary>The partition count used when none is given (what the mock also uses for auto-created topics).</summary>
    public const int DefaultPartitions = 4;

    /// <summary>Kafka's own rule for legal topic names.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 249
        && name is not "." and not ".."
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    public override string ToString() => $"{Name}:{Partitions}";
}
