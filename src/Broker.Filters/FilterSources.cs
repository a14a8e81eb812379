// The one place the three sources of subscriptions are merged into the filters in force: the configuration's, the
// watched folder's files and the cluster's filter catalog, in that order of precedence. A later source's filter whose
// name is already in force is refused (the earlier one stays), and so is one the caller's check refuses (the Kafka
// runner: its output topic does not exist and cannot be created). The set is swapped atomically (FilterSet.Replace),
// so a lane always sees one whole set.
using Broker.Engine.Routing;

namespace Broker.Filters;

/// <summary>Why <paramref name="filter"/> cannot be put in force (null: it can).</summary>
public delegate string? FilterCheck(IAlertFilter filter);

public sealed class FilterSources
{
    private readonly FilterSet _target;
    private readonly IReadOnlyList<IAlertFilter> _configured;
    private readonly Lock _gate = new();
    private IReadOnlyList<ExpressionFilter> _files = [];
    private IReadOnlyList<ExpressionFilter> _catalog = [];

    /// <summary>Merges into <paramref name="target"/>, with <paramref name="configured"/> always first.</summary>
    public FilterSources(FilterSet target, IReadOnlyList<IAlertFilter> configured)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(configured);
        _target = target;
        _configured = configured;
        InForce = configured;
    }

    /// <summary>The filters the last merge put in force, in order: configuration, files, catalog.</summary>
    public IReadOnlyList<IAlertFilter> InForce { get; private set; }

    /// <summary>The configuration's filters (always in force).</summary>
    public IReadOnlyList<IAlertFilter> Configured => _configured;

    /// <summary>The catalog's filters refused at the last merge, by name, with why.</summary>
    public IReadOnlyDictionary<string, string> CatalogRefusals { get; private set; } = new Dictionary<string, string>();

    /// <summary>The files' filters refused at the last merge, by name, with why.</summary>
    public IReadOnlyDictionary<string, string> FileRefusals { get; private set; } = new Dictionary<string, string>();

    /// <summary>The folder's filters changed: merge; returns the files' filters refused, by name, with why.</summary>
    public IReadOnlyDictionary<string, string> SetFiles(IReadOnlyList<ExpressionFilter> files, FilterCheck? check = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        lock (_gate)
        {
            _files = files;
            Merge(check);
            return FileRefusals;
        }
    }

    /// <summary>The catalog changed: merge; returns the catalog's filters refused, by name, with why.</summary>
    public IReadOnlyDictionary<string, string> SetCatalog(IReadOnlyList<ExpressionFilter> catalog, FilterCheck? check = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        lock (_gate)
        {
            _catalog = catalog;
            Merge(check);
            return CatalogRefusals;
        }
    }

    /// <summary>Merges again (for example once topics can be checked); returns the filters now in force.</summary>
    public IReadOnlyList<IAlertFilter> Merge(FilterCheck? check = null)
    {
        lock (_gate)
        {
            var names = new HashSet<string>(_configured.Select(f => f.Name), StringComparer.Ordinal);
            var accepted = new List<IAlertFilter>(_configured);
            FileRefusals = Admit(_files, "a file", names, accepted, check);
            CatalogRefusals = Admit(_catalog, "the catalog", names, accepted, check);
            _target.Replace(accepted);
            return InForce = accepted;
        }
    }

    private Dictionary<string, string> Admit(IReadOnlyList<ExpressionFilter> filters, string source, HashSet<string> names, List<IAlertFilter> accepted, FilterCheck? check)
    {
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var filter in filters)
        {
            if (!names.Add(filter.Name))
            {
                refused[filter.Name] = _configured.Any(c => c.Name == filter.Name)
                    ? $"the configuration already defines filter '{filter.Name}', and that one stays in force"
                    : $"filter '{filter.Name}' is already in force from an earlier source (configuration, then files, then catalog); {source}'s is not";
                continue;
            }

            if (check?.Invoke(filter) is { } why)
            {
                names.Remove(filter.Name);
                refused[filter.Name] = why;
                continue;
            }

            accepted.Add(filter);
        }

        return refused;
    }
}
