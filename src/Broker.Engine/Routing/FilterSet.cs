// The filters in force, swapped atomically when they change (the filter issue's hot reload replaces the set; a
// lane always sees one whole set). Evaluation never throws: a filter that fails is counted and treated as "no".
using Broker.Alerts.Model;
using Broker.Engine.Annotation;

namespace Broker.Engine.Routing;

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

    /// <summary>
    /// A filter's name is the last part of its output topic, so it keeps to Kafka's rule for topic names: 1-249
    /// letters, digits, '.', '_' and '-', and not "." or "..".
    /// </summary>
    public static bool IsValidName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length is > 0 and <= 249
            && name is not "." and not ".."
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
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
            if (!IsValidName(f.Name))
            {
                throw new ArgumentException($"Filter name '{f.Name}' must be letters, digits, '.', '_' or '-' (it names a topic).", nameof(filters));
            }
        }

        return list;
    }
}
