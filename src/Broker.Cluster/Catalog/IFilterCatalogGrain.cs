// The cluster's subscriptions: one catalog (key "default") that `broker filter add|remove|list --cluster` and the
// HTTP API change, persisted in the "catalog" grain storage, and that every silo polls for a newer version and puts
// in force beside its configuration's and files' filters.
namespace Broker.Cluster.Catalog;

public interface IFilterCatalogGrain : IGrainWithStringKey
{
    /// <summary>The catalog (version and filters).</summary>
    Task<FilterCatalogMessage> Get();

    /// <summary>The catalog when its version differs from <paramref name="known"/>, else null (the silos' poll).</summary>
    Task<FilterCatalogMessage?> Changed(long known);

    /// <summary>Adds or replaces a filter; its text is compiled first and a bad one is refused with the compiler's message (line and column).</summary>
    Task<CatalogChange> Put(CatalogFilter filter);

    /// <summary>Removes a filter by name; returns the new version, or null when there was none of that name.</summary>
    Task<long?> Remove(string name);
}
