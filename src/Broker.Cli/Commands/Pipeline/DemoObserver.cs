// What the demo and the end-to-end bench learn from the running pipeline: counts per output topic, dead letters
// by stage, the most novel alerts with their explanations, and which input messages are done.
using System.Collections.Concurrent;
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Pipeline;

namespace Broker.Cli.Commands.Pipeline;

internal sealed class DemoObserver : IPipelineObserver
{
    private readonly ConcurrentDictionary<string, long> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _deadLetters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, byte> _alertIds = new();
    private readonly ConcurrentDictionary<string, byte> _nights = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<(float Score, string Text)> _novel = [];
    private long _deadLettered;

    public IReadOnlyDictionary<string, long> Topics => _topics;

    public IReadOnlyDictionary<string, long> DeadLetters => _deadLetters;

    /// <summary>Distinct alert ids published.</summary>
    public int DistinctAlerts => _alertIds.Count;

    public long DeadLetterCount => Interlocked.Read(ref _deadLettered);

    /// <summary>Night grain keys of what was seen (survey:night, and input:night for dead letters).</summary>
    public IEnumerable<string> Nights => _nights.Keys;

    public void Published(Alert alert, AlertAnnotation annotation, IReadOnlyList<string> topics, double ingestToPublishMs)
    {
        foreach (var t in topics)
        {
            _topics.AddOrUpdate(t, 1, (_, n) => n + 1);
        }

        _alertIds.TryAdd(alert.AlertId, 0);
        _nights.TryAdd(Broker.Cluster.Nights.NightReporter.KeyOf(alert), 0);
        if (annotation.Novelty is { } novelty && Broker.Engine.Scoring.AlertScorer.RealScore(annotation) >= Broker.Cluster.Nights.NightReporter.LikelyReal)
        {
            lock (_gate)
            {
                if (_novel.Count < 5 || novelty.Score > _novel[^1].Score)
                {
                    var why = string.Join(", ", novelty.TopFeatures.Select(f => $"{f.Key} {f.Value:P0}"));
                    _novel.Add((novelty.Score, $"{Broker.Engine.Annotation.AnnotationEncoder.SurveyName(alert.Survey)} {alert.AlertId} {alert.ObjectId} {alert.Band} mag {alert.Mag:F2}: novelty {novelty.Score:F3} in {novelty.Subspace} ({why}); rb {annotation.Rb:F2}, cnn {annotation.Cnn?.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}"));
                    _novel.Sort((a, b) => b.Score.CompareTo(a.Score));
                    if (_novel.Count > 5)
                    {
                        _novel.RemoveAt(5);
                    }
                }
            }
        }
    }

    public void DeadLettered(SourcePosition source, string stage, string error)
    {
        Interlocked.Increment(ref _deadLettered);
        _deadLetters.AddOrUpdate(stage, 1, (_, n) => n + 1);
        _nights.TryAdd(Broker.Cluster.Nights.NightReporter.DeadLetterKey(DateTimeOffset.UtcNow), 0);
    }

    public IReadOnlyList<string> MostNovel()
    {
        lock (_gate)
        {
            return [.. _novel.Select(n => n.Text)];
        }
    }
}
