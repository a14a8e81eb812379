// What a replay reports at the end (`broker replay` prints it), gathered alert by alert in input order: per survey
// night the counts, filter matches and score summary; the most novel likely-real alerts with their explanation; for
// an exact replay the annotations that came out identical (byte for byte apart from the publish time) and what
// differed; for a comparison, per filter the alerts gained and lost, per model the score shifts, and how the
// top-novel list changed. It lives beside the replay it summarises so it can be tested without the CLI.
using System.Globalization;
using Broker.Engine.Annotation;
using Broker.Engine.Scoring;

namespace Broker.Archive.Replay;

/// <summary>The end-of-replay report: feed it every <see cref="ReplayedAlert"/> in order, then <see cref="Print"/>.</summary>
/// <param name="likelyReal">The real score (<see cref="AlertScorer.RealScore"/>) from which a novel alert is listed:
/// the night digest's threshold, so the replay's list is the one the live broker would have published.</param>
public sealed class ReplayReport(float likelyReal)
{
    private const int TopCount = 10;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly SortedDictionary<string, NightCounts> _nights = new(StringComparer.Ordinal);
    private readonly List<Novel> _novel = [];
    private readonly List<Novel> _recordedNovel = [];
    private readonly List<string> _differences = [];
    private readonly Dictionary<string, (int Gained, int Lost, int Recorded, int Now)> _filterChanges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Shift> _shifts = new(StringComparer.Ordinal) { ["rb"] = new(), ["cnn"] = new(), ["rb_combined"] = new(), ["novelty"] = new() };

    /// <summary>Replayed alerts whose annotation equals the recorded one (publish time aside).</summary>
    public long Identical { get; private set; }

    /// <summary>Replayed alerts whose annotation differs from the recorded one.</summary>
    public long Differing { get; private set; }

    /// <summary>Counts one replayed alert (and, when it carries one, its comparison with the recorded annotation).</summary>
    public void Add(ReplayedAlert replayed)
    {
        var (alert, a) = (replayed.Alert, replayed.Annotation);
        var key = $"{AnnotationEncoder.SurveyName(alert.Survey)} {Broker.Alerts.Model.ObservingNight.Name(Broker.Alerts.Model.ObservingNight.Of(alert.Survey, alert.Mjd))}";
        if (!_nights.TryGetValue(key, out var night))
        {
            _nights[key] = night = new NightCounts();
        }

        night.Alerts++;
        night.RealRb += a.Rb >= 0.5f ? 1 : 0;
        night.RealCombined += a.RbCombined >= 0.9f ? 1 : 0;
        night.WithCnn += a.Cnn.HasValue ? 1 : 0;
        foreach (var filter in a.Filters)
        {
            night.Filters[filter] = night.Filters.GetValueOrDefault(filter) + 1;
        }

        Keep(_novel, Novel.Of(replayed, a, likelyReal));
        if (replayed.Recorded is not { } recorded)
        {
            return;
        }

        var before = recorded.Annotation;
        Keep(_recordedNovel, Novel.Of(replayed, before, likelyReal));
        if (ScoredReplay.Fingerprint(alert, a).AsSpan().SequenceEqual(ScoredReplay.Fingerprint(alert, before)))
        {
            Identical++;
        }
        else
        {
            Differing++;
            if (_differences.Count < 5)
            {
                _differences.Add($"{replayed.Name} alert {alert.AlertId}: {string.Join(", ", Fields(before, a))}");
            }
        }

        foreach (var name in a.Filters.Union(before.Filters))
        {
            var (gained, lost, was, now) = _filterChanges.GetValueOrDefault(name);
            var inNow = a.Filters.Contains(name);
            var inBefore = before.Filters.Contains(name);
            _filterChanges[name] = (gained + (inNow && !inBefore ? 1 : 0), lost + (inBefore && !inNow ? 1 : 0), was + (inBefore ? 1 : 0), now + (inNow ? 1 : 0));
        }

        _shifts["rb"].Add(before.Rb, a.Rb);
        _shifts["cnn"].Add(before.Cnn, a.Cnn);
        _shifts["rb_combined"].Add(before.RbCombined, a.RbCombined);
        _shifts["novelty"].Add(before.Novelty?.Score, a.Novelty?.Score);
    }

    /// <summary>Writes the report: the counts, per night, the most novel, and what <paramref name="mode"/> compares.</summary>
    public void Print(TextWriter o, ReplayCounts counts, ReplayMode mode)
    {
        o.WriteLine(string.Create(Inv, $"{counts.In} messages in, {counts.Annotated} alerts annotated, {counts.DeadLettered} dead-lettered"));
        foreach (var (stage, n) in counts.DeadLetters.GroupBy(d => d.Stage).Select(g => (g.Key, g.Count())))
        {
            var example = counts.DeadLetters.First(d => d.Stage == stage);
            o.WriteLine($"  dead letters at {stage}: {n} (e.g. {example.Name}: {example.Reason})");
        }

        foreach (var (key, night) in _nights)
        {
            o.WriteLine(string.Create(Inv, $"night {key}: {night.Alerts} alerts; rb >= 0.5: {night.RealRb}; rb_combined >= 0.9: {night.RealCombined}; CNN scored: {night.WithCnn}"));
            foreach (var (filter, n) in night.Filters.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                o.WriteLine(string.Create(Inv, $"  filter {filter,-22} {n,6} matches"));
            }
        }

        o.WriteLine(_novel.Count > 0 ? "most novel (likely real):" : "most novel: none likely real scored (a survey's novelty forests start after its first 256 likely-real alerts)");
        foreach (var (n, i) in _novel.Select((n, i) => (n, i + 1)))
        {
            o.WriteLine(string.Create(Inv, $"  {i,2}. {n.Survey} {n.AlertId} {n.ObjectId} {n.Band} mag {n.Mag:F2}  novelty {n.Score:F3} ({n.Subspace}: {n.Explanation})  rb {n.Rb:F2}"));
        }

        if (mode == ReplayMode.Exact)
        {
            o.WriteLine(string.Create(Inv, $"exact replay: {Identical} of {Identical + Differing} annotations identical to the recorded ones (publish time aside)"));
            foreach (var d in _differences)
            {
                o.WriteLine("  differs: " + d);
            }
        }

        if (mode == ReplayMode.Compare)
        {
            o.WriteLine(string.Create(Inv, $"compared with the recorded annotations: {Identical} identical, {Differing} changed"));
            foreach (var (filter, c) in _filterChanges.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                o.WriteLine(string.Create(Inv, $"  filter {filter,-22} recorded {c.Recorded,6}  now {c.Now,6}  gained {c.Gained,5}  lost {c.Lost,5}"));
            }

            foreach (var (model, s) in _shifts)
            {
                o.WriteLine(string.Create(Inv, $"  {model,-12} mean |shift| {s.MeanAbs:F4}  max |shift| {s.MaxAbs:F4}  crossed 0.5 up {s.Up}, down {s.Down}; scored then not {s.Lost}, now not then {s.Gained}"));
            }

            var before = _recordedNovel.Select(n => n.AlertId).ToHashSet();
            var now = _novel.Select(n => n.AlertId).ToHashSet();
            o.WriteLine(string.Create(Inv, $"  top {TopCount} novel: {before.Intersect(now).Count()} kept; entered: {string.Join(", ", now.Except(before))}; left: {string.Join(", ", before.Except(now))}"));
        }
    }

    private static IEnumerable<string> Fields(AlertAnnotation was, AlertAnnotation now)
    {
        if (was.Rb != now.Rb)
        {
            yield return $"rb {was.Rb} -> {now.Rb}";
        }

        if (was.Cnn != now.Cnn)
        {
            yield return $"cnn {was.Cnn} -> {now.Cnn}";
        }

        if (was.Novelty?.Score != now.Novelty?.Score || was.Novelty?.SnapshotId != now.Novelty?.SnapshotId)
        {
            yield return $"novelty {was.Novelty?.Score} ({was.Novelty?.SnapshotId}) -> {now.Novelty?.Score} ({now.Novelty?.SnapshotId})";
        }

        var features = was.Features.Zip(now.Features).Count(p => BitConverter.SingleToInt32Bits(p.First) != BitConverter.SingleToInt32Bits(p.Second));
        if (features > 0)
        {
            yield return $"{features} features";
        }

        if (!was.Filters.SequenceEqual(now.Filters))
        {
            yield return $"filters [{string.Join(",", was.Filters)}] -> [{string.Join(",", now.Filters)}]";
        }

        if (was.RbModel != now.RbModel || was.CnnModel != now.CnnModel)
        {
            yield return $"models {was.RbModel}/{was.CnnModel} -> {now.RbModel}/{now.CnnModel}";
        }

        if (was.Object != now.Object || was.Source != now.Source || was.IngestTimeMs != now.IngestTimeMs || was.Redelivered != now.Redelivered)
        {
            yield return "context (object, source, ingest time or redelivered)";
        }
    }

    private static void Keep(List<Novel> top, Novel? candidate)
    {
        if (candidate is null || (top.Count == TopCount && candidate.Score <= top[^1].Score))
        {
            return;
        }

        top.Add(candidate);
        top.Sort((x, y) => y.Score.CompareTo(x.Score));
        if (top.Count > TopCount)
        {
            top.RemoveAt(top.Count - 1);
        }
    }

    private sealed class NightCounts
    {
        public int Alerts { get; set; }

        public int RealRb { get; set; }

        public int RealCombined { get; set; }

        public int WithCnn { get; set; }

        public SortedDictionary<string, int> Filters { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Novel(string Survey, long AlertId, string ObjectId, string Band, double Mag, float Score, string Subspace, string Explanation, float Rb)
    {
        public static Novel? Of(ReplayedAlert r, AlertAnnotation a, float likelyReal) => a.Novelty is { } n && AlertScorer.RealScore(a) >= likelyReal
            ? new Novel(AnnotationEncoder.SurveyName(r.Alert.Survey), r.Alert.AlertId, r.Alert.ObjectId, r.Alert.Band, r.Alert.Mag, n.Score, n.Subspace, ArchiveIndex.Explain(n), a.RbCombined ?? a.Rb)
            : null;
    }

    private sealed class Shift
    {
        private double _sum;
        private long _n;

        public double MaxAbs { get; private set; }

        public double MeanAbs => _n == 0 ? 0 : _sum / _n;

        public int Up { get; private set; }

        public int Down { get; private set; }

        public int Lost { get; private set; }

        public int Gained { get; private set; }

        public void Add(float? was, float? now)
        {
            if (was is not { } w || now is not { } v)
            {
                Lost += was.HasValue && !now.HasValue ? 1 : 0;
                Gained += now.HasValue && !was.HasValue ? 1 : 0;
                return;
            }

            var d = Math.Abs(v - w);
            _sum += d;
            _n++;
            MaxAbs = Math.Max(MaxAbs, d);
            Up += w < 0.5f && v >= 0.5f ? 1 : 0;
            Down += w >= 0.5f && v < 0.5f ? 1 : 0;
        }
    }
}
