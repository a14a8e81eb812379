// The per-night digest for follow-up teams who want a night's best candidates rather than a stream: every
// cluster.digest_seconds each silo publishes, for every survey night it saw alerts of since the last digest, the
// night as its grain holds it (all silos' alerts) to <prefix>.digest, keyed `survey:night`: counts, filter matches,
// the top 10 novel likely-real alerts with their explanations, and how many distinct anomalies the night holds (the
// seed paper's g^2/k over the grain's sample of the night). The latest message of a key is the night's digest (silos
// publish the same grain's summary, so a compacted topic keeps one per night). With an archive, the same JSON is
// kept as <archive>/<survey>/<night>/digest.json.
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Broker.Cluster.Nights;

public sealed partial class NightDigestPublisher : IAsyncDisposable
{
    /// <summary>Novel alerts a digest lists.</summary>
    public const int TopCount = 10;

    private readonly IGrainFactory _grains;
    private readonly Func<DateTimeOffset, IReadOnlyList<string>> _nightsSince;
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly string _topic;
    private readonly ILogger _log;
    private readonly TimeSpan _interval;
    private readonly string? _archive;
    private DateTimeOffset _since = DateTimeOffset.MinValue;
    private PeriodicWork? _work;

    /// <param name="nightsSince">The night keys (`survey:yyyy-MM-dd`) this silo saw alerts of since a time.</param>
    /// <param name="producer">Owned: disposed with the publisher.</param>
    /// <param name="archive">The night archive's root, where each digest is also written (null: not written).</param>
    public NightDigestPublisher(IGrainFactory grains, Func<DateTimeOffset, IReadOnlyList<string>> nightsSince, IProducer<byte[]?, byte[]> producer, string topic, ILogger log, TimeSpan interval, string? archive = null)
    {
        _archive = archive;
        _grains = grains ?? throw new ArgumentNullException(nameof(grains));
        _nightsSince = nightsSince ?? throw new ArgumentNullException(nameof(nightsSince));
        _producer = producer ?? throw new ArgumentNullException(nameof(producer));
        _topic = topic ?? throw new ArgumentNullException(nameof(topic));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _interval = interval;
    }

    public void Start() => _work = new PeriodicWork(_interval, PublishAsync, e => LogFailed(_log, _topic, e.Message));

    /// <summary>Publishes the digest of every night seen since the last one; returns how many were published.</summary>
    public async Task<int> PublishNowAsync(CancellationToken cancel)
    {
        var now = DateTimeOffset.UtcNow;
        var nights = _nightsSince(_since);
        foreach (var key in nights)
        {
            var grain = _grains.GetGrain<INightGrain>(key);
            var summary = await grain.Summary().ConfigureAwait(false);
            var digest = Digest(summary, now, Anomalies(await grain.MapSample().ConfigureAwait(false)));
            await _producer.ProduceAsync(_topic, new Message<byte[]?, byte[]> { Key = System.Text.Encoding.UTF8.GetBytes(key), Value = digest }, cancel).ConfigureAwait(false);
            if (_archive is not null)
            {
                var path = Path.Combine(Broker.Archive.ArchiveLayout.NightFolder(_archive, summary.Survey, summary.Night), "digest.json");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path + ".tmp", digest, cancel).ConfigureAwait(false);
                File.Move(path + ".tmp", path, overwrite: true);
            }
        }

        _since = now;
        if (nights.Count > 0)
        {
            LogPublished(_log, nights.Count, _topic);
        }

        return nights.Count;
    }

    private Task PublishAsync(CancellationToken cancel) => PublishNowAsync(cancel);

    /// <summary>The distinct-anomaly estimate over a night's sample, or null when it is too small.</summary>
    public static Broker.Novelty.DistinctAnomalies? Anomalies(IReadOnlyList<MapPoint> sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Count < Broker.Novelty.DistinctAnomalies.MinimumPoints)
        {
            return null;
        }

        var width = Broker.Features.Catalog.FeatureCatalog.Count;
        return Broker.Novelty.DistinctAnomalies.Of(MapSample.Vectors(sample, width), sample.Count, width);
    }

    /// <summary>A night's digest as JSON bytes (snake_case; alert ids as text, as in /api/nights).</summary>
    public static byte[] Digest(NightSummary night, DateTimeOffset at, Broker.Novelty.DistinctAnomalies? anomalies = null)
    {
        ArgumentNullException.ThrowIfNull(night);
        return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["survey"] = night.Survey,
            ["night"] = night.Night,
            ["as_of"] = at.ToUnixTimeMilliseconds(),
            ["alerts"] = night.Alerts,
            ["filters"] = night.Filters,
            ["top_novel"] = night.TopNovel.Take(TopCount).Select(Hosting.NovelAlertDocument.Of).ToList(),
            ["distinct_anomalies"] = anomalies is { } a
                ? new Dictionary<string, object?> { ["k"] = a.K, ["overlap"] = a.Overlap, ["estimate"] = a.Estimate }
                : null,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_work is not null)
        {
            await _work.DisposeAsync().ConfigureAwait(false);
        }

        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Nights} night digests to {Topic}")]
    private static partial void LogPublished(ILogger log, int nights, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Night digests to {Topic} not published: {Error}")]
    private static partial void LogFailed(ILogger log, string topic, string error);
}
