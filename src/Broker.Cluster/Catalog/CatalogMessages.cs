// A subscription as the catalog stores and sends it (the filter file's fields), and the catalog as a whole.
using Broker.Engine.Annotation;
using Broker.Filters;

namespace Broker.Cluster.Catalog;

[GenerateSerializer]
[Immutable]
public sealed record CatalogFilter(
    [property: Id(0)] string Name,
    [property: Id(1)] string Where,
    [property: Id(2)] string Payload,
    [property: Id(3)] string? Topic,
    [property: Id(4)] string? Description,
    [property: Id(5)] string? Owner)
{
    public FilterDefinition ToDefinition() => new()
    {
        Name = Name,
        Where = Where,
        Payload = string.Equals(Payload, "light", StringComparison.OrdinalIgnoreCase) ? Broker.Engine.Annotation.Payload.Light : Broker.Engine.Annotation.Payload.Full,
        Topic = Topic,
        Description = Description,
        Owner = Owner,
    };

    public static CatalogFilter From(FilterDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new CatalogFilter(definition.Name, definition.Where, definition.Payload == Broker.Engine.Annotation.Payload.Light ? "light" : "full",
            definition.Topic, definition.Description, definition.Owner);
    }
}

[GenerateSerializer]
[Immutable]
public sealed record FilterCatalogMessage([property: Id(0)] long Version, [property: Id(1)] CatalogFilter[] Filters);

/// <summary>The catalog's answer to a change: the new version, or why the change was refused (the version unchanged).</summary>
[GenerateSerializer]
[Immutable]
public sealed record CatalogChange([property: Id(0)] long Version, [property: Id(1)] string? Error);
