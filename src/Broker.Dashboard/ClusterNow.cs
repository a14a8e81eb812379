// The "Now" view of the whole cluster, computed from the silos' pulses (ClusterPulseGrain) and the membership view:
// rates per topic from the difference of each silo's last two reports, the hour's latency percentiles from the
// silos' merged histograms, per-stage cost, lag per partition with the silo that owns it, silos up or down, dead
// letters by stage with recent examples, and the models and novelty snapshots in force.
using Broker.Cluster.Nights;
using Broker.Cluster.Operations;
using Orleans.Runtime;

namespace Broker.Dashboard;

public static class ClusterNow
{
    public static async Task<NowDocument> ReadAsync(IGrainFactory grains, IClusterMembershipService membership)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(membership);
        var pulses = await grains.GetGrain<IClusterPulseGrain>(ClusterPulseGrain.Key).Latest().ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var members = membership.CurrentSnapshot.Members.Values.ToDictionary(m => m.SiloAddress.ToParsableString(), m => m.Status.ToString().ToLowerInvariant());

        var latency = new long[LatencyHour.Bins];
        var topicsIn = new Dictionary<string, (double Rate, long Total)>(StringComparer.Ordinal);
        var topicsOut = new Dictionary<string, (double Rate, long Total)>(StringComparer.Ordinal);
        var dead = new Dictionary<string, long>(StringComparer.Ordinal);
        var stages = new Dictionary<string, (double Ms, long Count, double Rate)>(StringComparer.Ordinal);
        var lag = new List<NowLag>();
        var nights = new SortedSet<string>(StringComparer.Ordinal);
        var silos = new List<NowSilo>();
        var novelty = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (p, previous) in pulses)
        {
            var seconds = previous is null ? 0 : (p.TimeMs - previous.TimeMs) / 1000.0;
            Add(topicsIn, p.In, previous?.In, seconds);
            Add(topicsOut, p.Out, previous?.Out, seconds);
            foreach (var (stage, count) in p.DeadLetters)
            {
                dead[stage] = dead.GetValueOrDefault(stage) + count;
            }

            foreach (var (stage, cost) in p.Stages)
            {
                var before = previous?.Stages.GetValueOrDefault(stage) ?? default;
                var old = stages.GetValueOrDefault(stage);
                var rate = seconds > 0 ? (cost.Count - before.Count) / seconds : 0;
                stages[stage] = (old.Ms + cost.TotalMs, old.Count + cost.Count, old.Rate + rate);
            }

            for (var b = 0; b < latency.Length; b++)
            {
                latency[b] += p.LatencyHour[b];
            }

            lag.AddRange(p.Lag.Select(l => new NowLag(l.Topic, l.Partition, l.Lag, p.Silo)));
            nights.UnionWith(p.Nights);
            foreach (var (survey, id) in p.NoveltySnapshots)
            {
                novelty[survey] = id;
            }

            silos.Add(new NowSilo(p.Silo, members.GetValueOrDefault(p.Silo, "unknown"), p.State, Math.Round((now - p.TimeMs) / 1000.0, 1),
                p.RbModel, p.CnnModel, p.NoveltySnapshots, p.Filters, p.Lag.Count));
        }

        // Members that never reported (starting) or are dead still show, from the membership view.
        foreach (var (address, status) in members.Where(m => silos.All(s => s.Silo != m.Key)))
        {
            silos.Add(new NowSilo(address, status, "not reporting"));
        }

        var recent = new List<DeadLetterExample>();
        foreach (var key in nights.Where(n => n.StartsWith(NightReporter.InputLabel + ":", StringComparison.Ordinal)).TakeLast(2))
        {
            recent.AddRange((await grains.GetGrain<INightGrain>(key).Summary().ConfigureAwait(false)).RecentDeadLetters);
        }

        var first = pulses.FirstOrDefault()?.Latest;
        return new NowDocument(
            now,
            silos,
            Rows(topicsIn),
            Rows(topicsOut),
            Math.Round(topicsIn.Values.Sum(t => t.Rate), 1),
            topicsIn.Values.Sum(t => t.Total),
            Math.Round(topicsOut.Values.Sum(t => t.Rate), 1),
            new NowLatency(latency.Sum(), Round(LatencyHour.Quantile(latency, 0.5)), Round(LatencyHour.Quantile(latency, 0.95)), Round(LatencyHour.Quantile(latency, 0.99))),
            [.. stages.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new NowStage(s.Key, s.Value.Count > 0 ? Math.Round(s.Value.Ms / s.Value.Count, 3) : null, Math.Round(s.Value.Rate, 1)))],
            lag,
            dead,
            [.. recent.OrderByDescending(e => e.TimeMs).Take(10)],
            new NowModels(first?.RbModel, first?.CnnModel, novelty),
            [.. nights.Where(n => !n.StartsWith(NightReporter.InputLabel + ":", StringComparison.Ordinal))]);
    }

    private static double? Round(double v) => double.IsFinite(v) ? Math.Round(v, 1) : null;

    private static void Add(Dictionary<string, (double Rate, long Total)> into, IReadOnlyDictionary<string, long> now, IReadOnlyDictionary<string, long>? before, double seconds)
    {
        foreach (var (topic, total) in now)
        {
            var rate = seconds > 0 && before is not null ? Math.Max(0, total - before.GetValueOrDefault(topic)) / seconds : 0;
            var old = into.GetValueOrDefault(topic);
            into[topic] = (old.Rate + rate, old.Total + total);
        }
    }

    private static List<NowTopic> Rows(Dictionary<string, (double Rate, long Total)> topics) =>
        [.. topics.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new NowTopic(t.Key, Math.Round(t.Value.Rate, 1), t.Value.Total))];
}
