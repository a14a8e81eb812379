// The filters in force, swapped atomically when they change (the filter issue's hot reload replaces the set; a
// lane always sees one whole set). Evaluation never throws: a filter that fails is counted and treated as "no".
using Broker.Alerts.Model;
using Broker.Pipeline.Annotation;

namespace Broker.Pipeline.Routing;

public sealed class FilterSet
{
    private IReadOnlyList<IAlertFilter> _filters;
    private long _failures;

    public FilterSet(IEnumerable<IAlertFilter>? filters = null) => _filters = Validate(filters ?? []);

    public IReadOnlyList<IAlertFilter> Filters => Volatile.Read(ref _filters);

    /// <summary>How many filter evaluations threw (each counted as not matched).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public void Replace(IEnumerable<IAlertFilter> filters) => Volatile.Write(ref _filters, Validate(filters));

    /// <summary>The filters <paramref name="alert"/> matches, in set order.</summary>
    public List<IAlertFilter> Match(Alert alert, AlertAnnotation annotation)
    {
        var matched = new List<IAlertFilter>();
        foreach (var filter in Filters)
        {
            bool pass;
            try
            {
                pass = filter.Matches(alert, annotation);
            }
#pragma warning disable CA1031 // a subscriber's filter must not stop the stream, whatever it throws
            catch (Exception)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _failures);
                pass = false;
            }

            if (pass)
            {
                matched.Add(filter);
            }
        }

        return matched;
    }

    private static IAlertFilter[] Validate(IEnumerable<IAlertFilter> filters)
    {
        var list = filters.ToArray();
        var duplicate = list.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two filters are named '{duplicate.Key}'.", nameof(filters));
        }

        foreach (var f in list)
        {
            if (!Broker.Kafka.Embedded.TopicSpec.IsValidName(f.Name))
            {
                throw new ArgumentException($"Filter name '{f.Name}' must be letters, digits, '.', '_' or '-' (it names a topic).", nameof(filters));
            }
        }

        return list;
    }
}
