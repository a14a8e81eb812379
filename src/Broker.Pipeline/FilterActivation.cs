// The Kafka side of putting filters in force: the merge of configuration, files and catalog is FilterSources'; this
// adds that a filter whose output topic does not exist and cannot be created is refused (producing to it would fail
// every matching alert), and says in the log what is in force and what was refused.
using Broker.Engine.Routing;
using Broker.Filters;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Broker.Pipeline;

/// <param name="stopping">Once it fires, no topic is checked or created (a stop during start-up is not held up by an unreachable Kafka).</param>
internal sealed partial class FilterActivation(FilterSources sources, Func<IAlertFilter, string> topicOf, IAdminClient? admin, ILogger log, CancellationToken stopping = default)
{
    private readonly HashSet<string> _knownTopics = new(sources.Configured.Select(topicOf), StringComparer.Ordinal);

    /// <summary>Puts the configuration's filters and the accepted file filters in force; returns the refused files' filters, by name, with why.</summary>
    public IReadOnlyDictionary<string, string> Apply(IReadOnlyList<ExpressionFilter> fromFiles) => Logged(sources.SetFiles(fromFiles, Check));

    /// <summary>The cluster's filter catalog changed: merge it after the configuration's and the files' filters.</summary>
    public IReadOnlyDictionary<string, string> ApplyCatalog(IReadOnlyList<ExpressionFilter> fromCatalog) => Logged(sources.SetCatalog(fromCatalog, Check));

    /// <summary>Merges what is already known again, now checking the topics; returns the catalog's refusals.</summary>
    public IReadOnlyDictionary<string, string> Remerge()
    {
        sources.Merge(Check);
        _ = Logged(sources.FileRefusals);
        return sources.CatalogRefusals;
    }

    private IReadOnlyDictionary<string, string> Logged(IReadOnlyDictionary<string, string> refused)
    {
        foreach (var (name, why) in refused)
        {
            LogRefused(log, name, why);
        }

        LogInForce(log, sources.InForce.Count, string.Join(", ", sources.InForce.Select(f => f.Name)));
        return refused;
    }

    private string? Check(IAlertFilter filter)
    {
        var topic = topicOf(filter);
        return EnsureTopic(topic, out var reason) ? null : $"its topic {topic} does not exist and cannot be created: {reason}";
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
