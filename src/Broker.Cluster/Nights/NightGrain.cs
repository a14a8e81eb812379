// Owns one survey night's statistics (INightGrain): merges the silos' deltas, keeps the top novel alerts (best
// first, one per alert id, so a re-delivery does not count twice in the list) and the latest dead-letter examples,
// and persists to the "nights" storage on every delta (each silo sends one about once a second, so the writes per
// night are about one per silo per second, whatever the alert rate; the annotated topic stays the record of every alert).
using Orleans.Runtime;

namespace Broker.Cluster.Nights;

public sealed class NightGrain([PersistentState("night", NightGrain.Storage)] IPersistentState<NightState> state) : Grain, INightGrain
{
    public const string Storage = "nights";

    /// <summary>Length of the top novel list kept per night.</summary>
    public const int TopNovel = 50;

    /// <summary>Dead-letter examples kept per night (the latest).</summary>
    public const int Examples = 20;

    /// <summary>Alerts kept for the night's map. In memory only (~0.6 MB of features): after a failover the map refills.</summary>
    public const int MapSampleSize = 2000;

    private readonly List<MapPoint> _sample = [];
    private readonly Random _random = new(7);
    private double _sampleSeen;

    public static string Key(string survey, DateOnly night) => survey + ":" + Broker.Alerts.Model.ObservingNight.Name(night);

    public async Task<float> Record(NightDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var s = state.State;
        s.Add(delta);
        foreach (var alert in delta.Novel)
        {
            var at = s.TopNovel.FindIndex(a => a.AlertId == alert.AlertId);
            if (at >= 0)
            {
                if (s.TopNovel[at].Novelty >= alert.Novelty)
                {
                    continue;
                }

                s.TopNovel.RemoveAt(at);
            }

            s.TopNovel.Add(alert);
        }

        s.TopNovel.Sort((a, b) => b.Novelty.CompareTo(a.Novelty));
        if (s.TopNovel.Count > TopNovel)
        {
            s.TopNovel.RemoveRange(TopNovel, s.TopNovel.Count - TopNovel);
        }

        // Each point stands for delta.Alerts / Points.Count alerts of its silo's second (the reporter sampled them).
        var weight = delta.Points.Count > 0 ? Math.Max(1.0, delta.Alerts / (double)delta.Points.Count) : 1.0;
        foreach (var point in delta.Points)
        {
            _sampleSeen += weight;
            if (_sample.Count < MapSampleSize)
            {
                _sample.Add(point);
            }
            else if (_random.NextDouble() < MapSampleSize * weight / _sampleSeen)
            {
                _sample[_random.Next(MapSampleSize)] = point;
            }
        }

        s.RecentDeadLetters.AddRange(delta.Examples);
        if (s.RecentDeadLetters.Count > Examples)
        {
            s.RecentDeadLetters.RemoveRange(0, s.RecentDeadLetters.Count - Examples);
        }

        await state.WriteStateAsync().ConfigureAwait(true);
        return s.TopNovel.Count >= TopNovel ? s.TopNovel[^1].Novelty : 0f;
    }

    public Task<IReadOnlyList<MapPoint>> MapSample() => Task.FromResult<IReadOnlyList<MapPoint>>([.. _sample]);

    public Task<NightSummary> Summary()
    {
        var key = this.GetPrimaryKeyString();
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        var s = state.State;
        return Task.FromResult(new NightSummary(
            key[..colon], key[(colon + 1)..], s.Alerts, s.Redelivered,
            new Dictionary<string, long>(s.Topics), new Dictionary<string, long>(s.Filters), new Dictionary<string, long>(s.DeadLetters),
            [.. s.Rb], [.. s.Cnn], [.. s.Novelty], [.. s.TopNovel], [.. s.RecentDeadLetters]));
    }
}

/// <summary>What a night grain persists: the night's counts, its top novel list and its latest dead-letter examples.</summary>
[GenerateSerializer]
public sealed class NightState : NightCounts
{
    [Id(0)] public List<NovelAlert> TopNovel { get; set; } = [];
    [Id(1)] public List<DeadLetterExample> RecentDeadLetters { get; set; } = [];
}
