// Owns the cluster's subscriptions (IFilterCatalogGrain). Every change is compiled before it is accepted, written to
// the "catalog" storage before the caller hears back, and bumps the version the silos poll for. A new name beyond
// cluster.max_filters is refused with the reason.
using Broker.Filters;
using Broker.Filters.Language;
using Orleans.Runtime;

namespace Broker.Cluster.Catalog;

public sealed class FilterCatalogGrain(
    [PersistentState("catalog", FilterCatalogGrain.Storage)] IPersistentState<FilterCatalogState> state,
    Microsoft.Extensions.Options.IOptions<FilterCatalogOptions> options) : Grain, IFilterCatalogGrain
{
    public const string Storage = "catalog";

    /// <summary>The one catalog's key.</summary>
    public const string Key = "default";

    public Task<FilterCatalogMessage> Get() => Task.FromResult(Message());

    public Task<FilterCatalogMessage?> Changed(long known) =>
        Task.FromResult(state.State.Version == known ? null : Message());

    public async Task<CatalogChange> Put(CatalogFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Payload is not ("full" or "light"))
        {
            return new CatalogChange(state.State.Version, $"payload '{filter.Payload}' is full or light");
        }

        try
        {
            filter.ToDefinition().Compile();
        }
        catch (Exception e) when (e is FilterException or FilterDefinitionException)
        {
            return new CatalogChange(state.State.Version, e.Message);
        }
        var filters = state.State.Filters;
        var at = filters.FindIndex(f => f.Name == filter.Name);

        // Each filter costs every silo a match per alert and an output topic: the catalog is capped (cluster.max_filters).
        if (at < 0 && filters.Count >= options.Value.MaxFilters)
        {
            return new CatalogChange(state.State.Version, $"the catalog holds {filters.Count} filters, its limit (cluster.max_filters); remove one first");
        }

        if (at >= 0)
        {
            filters[at] = filter;
        }
        else
        {
            filters.Add(filter);
        }

        state.State.Version++;
        await state.WriteStateAsync().ConfigureAwait(true);
        return new CatalogChange(state.State.Version, null);
    }

    public async Task<long?> Remove(string name)
    {
        if (state.State.Filters.RemoveAll(f => f.Name == name) == 0)
        {
            return null;
        }

        state.State.Version++;
        await state.WriteStateAsync().ConfigureAwait(true);
        return state.State.Version;
    }

    private FilterCatalogMessage Message() => new(state.State.Version, [.. state.State.Filters]);
}

[GenerateSerializer]
public sealed class FilterCatalogState
{
    [Id(0)]
    public long Version { get; set; }

    [Id(1)]
    public List<CatalogFilter> Filters { get; set; } = [];
}

/// <summary>Limits of the filter catalog (SiloConfiguration sets them from the cluster options).</summary>
public sealed class FilterCatalogOptions
{
    public int MaxFilters { get; set; } = 256;
}
