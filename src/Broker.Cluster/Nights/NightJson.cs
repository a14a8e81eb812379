// A night's summary as the HTTP API serves it (`/api/nights/{survey}/{night}`; the dashboard reads the same):
// snake_case keys, and alert ids as text, because ZTF candids and Rubin diaSourceIds exceed the 53 bits of a
// JavaScript number.
using System.Globalization;

namespace Broker.Cluster.Nights;

public static class NightJson
{
    public static Dictionary<string, object?> Of(NightSummary n)
    {
        ArgumentNullException.ThrowIfNull(n);
        return new Dictionary<string, object?>
        {
            ["survey"] = n.Survey,
            ["night"] = n.Night,
            ["alerts"] = n.Alerts,
            ["redelivered"] = n.Redelivered,
            ["topics"] = n.Topics,
            ["filters"] = n.Filters,
            ["dead_letters"] = n.DeadLetters,
            ["rb"] = n.Rb,
            ["cnn"] = n.Cnn,
            ["novelty"] = n.Novelty,
            ["top_novel"] = n.TopNovel.Select(Novel).ToList(),
            ["recent_dead_letters"] = n.RecentDeadLetters.Select(e => new Dictionary<string, object?>
            {
                ["stage"] = e.Stage,
                ["error"] = e.Error,
                ["source"] = e.Source,
                ["time_ms"] = e.TimeMs,
            }).ToList(),
        };
    }

    /// <summary>One alert of a night's top novel list.</summary>
    public static Dictionary<string, object?> Novel(NovelAlert a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new Dictionary<string, object?>
        {
            ["alert_id"] = a.AlertId.ToString(CultureInfo.InvariantCulture),
            ["object_id"] = a.ObjectId,
            ["mjd"] = a.Mjd,
            ["band"] = a.Band,
            ["mag"] = a.Mag,
            ["novelty"] = a.Novelty,
            ["subspace"] = a.Subspace,
            ["explanation"] = a.Explanation,
            ["rb"] = a.Rb,
            ["cnn"] = a.Cnn,
            ["snapshot_id"] = a.SnapshotId,
        };
    }
}
