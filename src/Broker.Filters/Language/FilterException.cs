// What is wrong with a filter's text, and where: the line and column of the offending token.
namespace Broker.Filters.Language;

public abstract class FilterException(TextPosition position, string reason) : Exception($"{position}: {reason}")
{
    public TextPosition Position { get; } = position;

    /// <summary>The message without the position.</summary>
    public string Reason { get; } = reason;
}

/// <summary>The text does not follow the grammar (docs/filters.md).</summary>
public sealed class FilterSyntaxException(TextPosition position, string reason) : FilterException(position, reason);

/// <summary>The text parses, but a name is unknown or an operator is given the wrong types.</summary>
public sealed class FilterTypeException(TextPosition position, string reason) : FilterException(position, reason);
