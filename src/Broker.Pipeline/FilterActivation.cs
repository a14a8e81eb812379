// Puts the filters of a watched directory and of the cluster's filter catalog in force next to those of the
// configuration: a filter whose name an earlier source (configuration, files, catalog) already has is refused, and so is one whose output topic does not exist and cannot be
// created (producing to it would fail every matching alert). The set is swapped atomically (FilterSet.Replace).
using Broker.Engine.Routing;
using Broker.Filters;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Broker.Pipeline;

/// <param name="stopping">Once it fires, no topic is checked or created (a stop during start-up is not held up by an unreachable Kafka).</param>
internal sealed partial class FilterActivation(FilterSet set, IReadOnlyList<IAlertFilter> configured, Func<IAlertFilter, string> topicOf, IAdminClient? admin, ILogger log, CancellationToken stopping = default)
{
    private readonly HashSet<string> _knownTopics = new(configured.Select(topicOf), StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private IReadOnlyList<ExpressionFilter> _files = [];
    private IReadOnlyList<ExpressionFilter> _catalog = [];

    /// <summary>The catalog's filters refused at the last merge, by name, with why.</summary>
    public IReadOnlyDictionary<string, string> CatalogRefusals { get; private set; } = new Dictionary<string, string>();

    /// <summary>Puts the configuration's filters and the accepted file filters in force; returns the refused files' filters, by name, with why.</summary>
    public IReadOnlyDictionary<string, string> Apply(IReadOnlyList<ExpressionFilter> fromFiles)
    {
        lock (_gate)
        {
            _files = fromFiles;
            return Merge().Files;
        }
    }

    /// <summary>The cluster's filter catalog changed: merge it after the configuration's and the files' filters.</summary>
    public IReadOnlyDictionary<string, string> ApplyCatalog(IReadOnlyList<ExpressionFilter> fromCatalog)
    {
        lock (_gate)
        {
            _catalog = fromCatalog;
            return CatalogRefusals = Merge().Catalog;
        }
    }

    // Sources in order of precedence: configuration, files, catalog. A later source's filter with a name already in
    // force is refused (the earlier stays), as is one whose topic cannot be made.
    private (Dictionary<string, string> Files, Dictionary<string, string> Catalog) Merge()
    {
        var names = new HashSet<string>(configured.Select(f => f.Name), StringComparer.Ordinal);
        var accepted = new List<IAlertFilter>(configured);
        var refusedFiles = Admit(_files, "a file", names, accepted);
        var refusedCatalog = Admit(_catalog, "the catalog", names, accepted);
        set.Replace(accepted);
        LogInForce(log, accepted.Count, string.Join(", ", accepted.Select(f => f.Name)));
        return (refusedFiles, refusedCatalog);
    }

    private Dictionary<string, string> Admit(IReadOnlyList<ExpressionFilter> filters, string source, HashSet<string> names, List<IAlertFilter> accepted)
    {
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var filter in filters)
        {
            if (!names.Add(filter.Name))
            {
                refused[filter.Name] = configured.Any(c => c.Name == filter.Name)
                    ? $"the configuration already defines filter '{filter.Name}', and that one stays in force"
                    : $"filter '{filter.Name}' is already in force from an earlier source (configuration, then files, then catalog); {source}'s is not";
                LogRefused(log, filter.Name, refused[filter.Name]);
                continue;
            }

            var topic = topicOf(filter);
            if (!EnsureTopic(topic, out var reason))
            {
                names.Remove(filter.Name);
                refused[filter.Name] = $"its topic {topic} does not exist and cannot be created: {reason}";
                LogRefused(log, filter.Name, refused[filter.Name]);
                continue;
            }

            accepted.Add(filter);
        }

        return refused;
    }

    private bool EnsureTopic(string topic, out string reason)
    {
        reason = string.Empty;
        if (admin is null || _knownTopics.Contains(topic))
        {
            return true;
        }

        if (stopping.IsCancellationRequested)
        {
            reason = "the broker is stopping";
            return false;
        }

        try
        {
            if (Exists(topic))
            {
                _knownTopics.Add(topic);
                return true;
            }

            // The cluster's defaults for partitions and replication (-1), as an operator's kafka-topics would use.
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = -1, ReplicationFactor = -1 }], new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(10) })
                .WaitAsync(stopping).GetAwaiter().GetResult();
            _knownTopics.Add(topic);
            return true;
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
            _knownTopics.Add(topic);
            return true;
        }
        catch (OperationCanceledException)
        {
            reason = "the broker is stopping";
            return false;
        }
        catch (KafkaException e)
        {
            reason = e.Error.Reason;
            if (Exists(topic))
            {
                _knownTopics.Add(topic);
                return true;
            }

            return false;
        }
    }

    private bool Exists(string topic)
    {
        try
        {
            var metadata = admin!.GetMetadata(topic, TimeSpan.FromSeconds(5));
            return metadata.Topics.Any(t => t.Topic == topic && !t.Error.IsError && t.Partitions.Count > 0);
        }
        catch (KafkaException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Filter {Name} not put in force: {Reason}")]
    private static partial void LogRefused(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} filters in force: {Names}")]
    private static partial void LogInForce(ILogger logger, int count, string names);
}
