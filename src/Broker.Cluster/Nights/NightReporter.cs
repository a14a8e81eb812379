// A silo's reporter to the night grains: it watches what the pipeline publishes and dead-letters (as the
// pipeline's observer), adds it up per survey night in memory, and sends each night's delta about once a second, so
// the hot path never waits on a grain. A delta that cannot be sent (the night's silo just died) is merged back and
// sent with the next. Dead letters have no detection time; they count under "input" and the ingest night.
using Broker.Alerts.Imaging;
using Broker.Alerts.Model;
using Broker.Cluster.Cards;
using Broker.Engine.Annotation;
using Broker.Pipeline;
using Microsoft.Extensions.Logging;

namespace Broker.Cluster.Nights;

public sealed partial class NightReporter(IGrainFactory grains, IPipelineObserver? inner, ILogger log, TimeSpan interval) : IPipelineObserver, IAsyncDisposable
{
    /// <summary>The survey label dead letters count under.</summary>
    public const string InputLabel = "input";

    // Candidates for the top novel list sent per night per delta.
    private const int NovelPerDelta = NightGrain.TopNovel;

    /// <summary>How likely real (rb_combined, else rb) an alert must be to enter a night's top novel list.</summary>
    public const float LikelyReal = 0.5f;

    // Map points sent per night per delta (a reservoir sample of the second's alerts).
    private const int PointsPerDelta = 50;
    private readonly Random _random = new(11);

    private readonly Lock _gate = new();
    private Dictionary<string, NightDelta> _deltas = new(StringComparer.Ordinal);
    private Dictionary<long, (Alert Alert, AlertAnnotation Annotation)> _cards = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _touched = new(StringComparer.Ordinal);

    // Per night, the novelty the night's top list starts at: only alerts above it are candidates (and get a card).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, float> _thresholds = new(StringComparer.Ordinal);
    private PeriodicWork? _flushes;

    // FlushAsync keeps what it could not send and never throws; a failure here would be a bug, logged as one.
    public void Start() => _flushes = new PeriodicWork(interval, _ => FlushAsync(), e => LogFlushFailed(log, "all", e.Message));

    /// <summary>The night grain an alert counts in: its survey and observing night.</summary>
    public static string KeyOf(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return NightGrain.Key(AnnotationEncoder.SurveyName(alert.Survey), ObservingNight.Of(alert.Survey, alert.Mjd));
    }

    /// <summary>The night grain a dead letter counts in (no detection time: the ingest night, under "input").</summary>
    public static string DeadLetterKey(DateTimeOffset ingest) => NightGrain.Key(InputLabel, ObservingNight.OfIngest(ingest));

    /// <summary>The night grain keys this silo reported to most recently (at most 20, newest first).</summary>
    public IReadOnlyList<string> RecentNights =>
        [.. _touched.OrderByDescending(t => t.Value).Take(20).Select(t => t.Key)];

    /// <summary>The survey nights (not dead-letter days) this silo reported alerts of at or after <paramref name="since"/>.</summary>
    public IReadOnlyList<string> NightsSince(DateTimeOffset since) =>
        [.. _touched.Where(t => t.Value >= since.ToUnixTimeMilliseconds() && !t.Key.StartsWith(InputLabel + ":", StringComparison.Ordinal)).Select(t => t.Key).Order(StringComparer.Ordinal)];

    public void Published(Alert alert, AlertAnnotation annotation, IReadOnlyList<string> topics, double ingestToPublishMs)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(annotation);
        ArgumentNullException.ThrowIfNull(topics);
        var key = KeyOf(alert);
        _touched[key] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        lock (_gate)
        {
            var d = Delta(key);
            d.Alerts++;
            d.Redelivered += annotation.Redelivered ? 1 : 0;
            foreach (var topic in topics)
            {
                d.Topics[topic] = d.Topics.GetValueOrDefault(topic) + 1;
            }

            foreach (var filter in annotation.Filters)
            {
                d.Filters[filter] = d.Filters.GetValueOrDefault(filter) + 1;
            }

            if (!annotation.Redelivered)
            {
                // Reservoir sample of this second's alerts for the night's map (d.Alerts counts this one already); the
                // point is made only when it is kept.
                MapPoint Point() => new(alert.AlertId, alert.ObjectId, alert.Band, annotation.Rb, annotation.Novelty?.Score, annotation.Features);
                if (d.Points.Count < PointsPerDelta)
                {
                    d.Points.Add(Point());
                }
                else if (_random.NextInt64(d.Alerts) < PointsPerDelta)
                {
                    d.Points[_random.Next(PointsPerDelta)] = Point();
                }
            }

            Count(d.Rb, annotation.Rb);
            Count(d.Cnn, annotation.Cnn ?? float.NaN);
            if (annotation.Novelty is { } n)
            {
                Count(d.Novelty, n.Score);
                // The night's top novel list holds likely-real alerts only: artifacts are many, and novel in dull ways.
                if (!annotation.Redelivered && Broker.Engine.Scoring.AlertScorer.RealScore(annotation) >= LikelyReal
                    && n.Score > _thresholds.GetValueOrDefault(key) && Candidate(d, alert, annotation, n))
                {
                    _cards[alert.AlertId] = (alert, annotation);
                }
            }
        }

        inner?.Published(alert, annotation, topics, ingestToPublishMs);
    }

    public void DeadLettered(SourcePosition source, string stage, string error)
    {
        var now = DateTimeOffset.UtcNow;
        var key = DeadLetterKey(now);
        _touched[key] = now.ToUnixTimeMilliseconds();
        lock (_gate)
        {
            var d = Delta(key);
            d.DeadLetters[stage] = d.DeadLetters.GetValueOrDefault(stage) + 1;
            d.Examples.Add(new DeadLetterExample(stage, error, source.ToString(), now.ToUnixTimeMilliseconds()));
            if (d.Examples.Count > NightGrain.Examples)
            {
                d.Examples.RemoveAt(0);
            }
        }

        inner?.DeadLettered(source, stage, error);
    }

    /// <summary>Sends every pending delta now; what fails stays pending.</summary>
    public async Task FlushAsync()
    {
        Dictionary<string, NightDelta> pending;
        Dictionary<long, (Alert Alert, AlertAnnotation Annotation)> cards;
        lock (_gate)
        {
            pending = _deltas;
            _deltas = new(StringComparer.Ordinal);
            cards = _cards;
            _cards = [];
        }

        foreach (var (key, delta) in pending)
        {
            try
            {
                // Cards first, for the candidates still in this delta's list: the dashboard finds them by the list.
                var survey = key[..key.IndexOf(':', StringComparison.Ordinal)];
                foreach (var novel in delta.Novel)
                {
                    if (cards.TryGetValue(novel.AlertId, out var c))
                    {
                        await grains.GetGrain<IAlertCardGrain>(AlertCardGrain.Key(survey, novel.AlertId)).Set(Card(c.Alert, c.Annotation)).ConfigureAwait(false);
                        cards.Remove(novel.AlertId); // only once stored: a card sent to a silo as it died is sent again
                    }
                }

                _thresholds[key] = await grains.GetGrain<INightGrain>(key).Record(delta).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // counts must not be lost to one failed call: merge back, retry at the next flush
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogFlushFailed(log, key, e.Message);
                lock (_gate)
                {
                    Merge(Delta(key), delta);

                    // The cards of this delta's candidates not stored yet go back with it, for the next flush (the
                    // grain is placed on a live silo then).
                    foreach (var novel in delta.Novel)
                    {
                        if (cards.Remove(novel.AlertId, out var card))
                        {
                            _cards.TryAdd(novel.AlertId, card);
                        }
                    }
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_flushes is not null)
        {
            await _flushes.DisposeAsync().ConfigureAwait(false);
        }

        await FlushAsync().ConfigureAwait(false);
    }

    private NightDelta Delta(string key)
    {
        if (!_deltas.TryGetValue(key, out var d))
        {
            _deltas[key] = d = new NightDelta();
        }

        return d;
    }

    private static void Count(long[] histogram, float score)
    {
        var bin = NightHistograms.Bin(score);
        if (bin >= 0)
        {
            histogram[bin]++;
        }
    }

    /// <summary>The dashboard's card of an alert: its scores and explanation, and its cutouts as PNGs.</summary>
    public static AlertCard Card(Alert alert, AlertAnnotation annotation)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(annotation);
        var n = annotation.Novelty;
        return new AlertCard(
            AnnotationEncoder.SurveyName(alert.Survey), alert.AlertId, alert.ObjectId, alert.Mjd, alert.Ra, alert.Dec, alert.Band, alert.Mag,
            annotation.Rb, annotation.Cnn, annotation.RbCombined, n?.Score, n?.Subspace,
            n?.SubspaceScores.ToDictionary(kv => kv.Key, kv => kv.Value) ?? [], n?.TopFeatures ?? [], n?.SnapshotId, annotation.Filters,
            CutoutPng.Render(alert.Science), CutoutPng.Render(alert.Template), CutoutPng.Render(alert.Difference));
    }

    // True when the alert entered the delta's top list.
    private static bool Candidate(NightDelta d, Alert alert, AlertAnnotation annotation, NoveltyAnnotation n)
    {
        if (d.Novel.Count >= NovelPerDelta && d.Novel[^1].Novelty >= n.Score)
        {
            return false;
        }

        var explanation = string.Join(", ", n.TopFeatures.Take(3).Select(f => $"{f.Key} {f.Value * 100:F0} %"));
        var candidate = new NovelAlert(alert.AlertId, alert.ObjectId, alert.Mjd, alert.Band, (float)alert.Mag, n.Score, n.Subspace, explanation,
            annotation.Rb, annotation.Cnn, n.SnapshotId);
        var at = d.Novel.FindIndex(a => a.Novelty < n.Score);
        d.Novel.Insert(at < 0 ? d.Novel.Count : at, candidate);
        if (d.Novel.Count > NovelPerDelta)
        {
            d.Novel.RemoveAt(d.Novel.Count - 1);
        }

        return true;
    }

    private static void Merge(NightDelta into, NightDelta from)
    {
        into.Add(from);
        into.Novel.AddRange(from.Novel);
        into.Novel.Sort((a, b) => b.Novelty.CompareTo(a.Novelty));
        if (into.Novel.Count > NovelPerDelta)
        {
            into.Novel.RemoveRange(NovelPerDelta, into.Novel.Count - NovelPerDelta);
        }

        into.Points.AddRange(from.Points.Take(Math.Max(0, PointsPerDelta - into.Points.Count)));
        into.Examples.InsertRange(0, from.Examples);
        if (into.Examples.Count > NightGrain.Examples)
        {
            into.Examples.RemoveRange(0, into.Examples.Count - NightGrain.Examples);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Night report to {Night} failed ({Error}); kept for the next flush")]
    private static partial void LogFlushFailed(ILogger log, string night, string error);
}
