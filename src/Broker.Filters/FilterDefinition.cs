// One subscription filter as its author writes it: in a file of its own (name.filter, read by FilterFile) or
// inline in the pipeline configuration. Compiling it gives the ExpressionFilter the pipeline routes with.
using System.Text.Json;
using System.Text.Json.Serialization;
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Engine.Routing;
using Broker.Filters.Language;

namespace Broker.Filters;

public sealed record FilterDefinition
{
    /// <summary>
    /// The JSON form of definitions, as in the broker's configuration file and the archive's records of the filters in
    /// force: snake_case keys and values, unknown keys an error, comments and trailing commas allowed.
    /// </summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Unique; names the default output topic, &lt;prefix&gt;.filtered.&lt;name&gt;.</summary>
    public required string Name { get; init; }

    /// <summary>The condition, in the filter language (docs/filters.md).</summary>
    public required string Where { get; init; }

    public string? Description { get; init; }

    public string? Owner { get; init; }

    /// <summary>Full name of the output topic, when not the default.</summary>
    public string? Topic { get; init; }

    public Payload Payload { get; init; } = Payload.Full;

    /// <summary>Where <see cref="Where"/> starts in its file, for error positions.</summary>
    [JsonIgnore]
    public TextPosition WhereAt { get; init; } = new(1, 1);

    /// <summary>Checks the name and topic, then parses, type-checks and compiles the condition.</summary>
    public ExpressionFilter Compile()
    {
        if (!FilterSet.IsValidName(Name))
        {
            throw new FilterDefinitionException($"filter name '{Name}' must be letters, digits, '.', '_' or '-' (it names a topic)");
        }

        if (Topic is not null && !FilterSet.IsValidName(Topic))
        {
            throw new FilterDefinitionException($"topic '{Topic}' must be letters, digits, '.', '_' or '-'");
        }

        return new ExpressionFilter(this, FilterCompiler.Compile(Where, WhereAt));
    }
}

/// <summary>A compiled filter: evaluation is one delegate call.</summary>
public sealed class ExpressionFilter(FilterDefinition definition, CompiledExpression compiled) : IAlertFilter
{
    public FilterDefinition Definition { get; } = definition;

    public CompiledExpression Compiled { get; } = compiled;

    public string Name => Definition.Name;

    public Payload Payload => Definition.Payload;

    public string? Topic => Definition.Topic;

    public bool Matches(Alert alert, AlertAnnotation annotation) => Compiled.Evaluate(alert, annotation);
}

/// <summary>A filter definition is wrong outside its expression (name, topic, file layout).</summary>
public sealed class FilterDefinitionException(string message) : Exception(message);
