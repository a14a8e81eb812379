// The cluster's filter catalog: a change made through any client reaches every silo's pipeline at its next poll;
// a bad filter text is refused with its position and changes nothing.
using Broker.Cluster.Catalog;
using Broker.Filters;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Cluster.Tests;

[Collection(ClusterCollection.Name)]
public sealed class FilterCatalogTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Changes_reach_every_silo_and_bad_text_is_refused()
    {
        var inForce = new[] { new List<string>(), new List<string>() };
        IReadOnlyDictionary<string, string> Apply(int silo, IReadOnlyList<FilterDefinition> filters)
        {
            lock (inForce)
            {
                inForce[silo] = [.. filters.Select(f => $"{f.Name}: {f.Where} ({f.Payload})")];
            }

            return new Dictionary<string, string>();
        }

        await using var sync0 = new FilterCatalogSync(fixture.Silo(0), f => Apply(0, f), NullLogger.Instance, TimeSpan.FromHours(1));
        await using var sync1 = new FilterCatalogSync(fixture.Silo(1), f => Apply(1, f), NullLogger.Instance, TimeSpan.FromHours(1));
        var catalog = fixture.Client.GetGrain<IFilterCatalogGrain>(FilterCatalogGrain.Key);
        var before = (await catalog.Get()).Version;

        var bad = await catalog.Put(new CatalogFilter("broken", "rb >= and positive", "full", null, null, null));
        Assert.NotNull(bad.Error);
        Assert.Contains("1:", bad.Error, StringComparison.Ordinal); // line:column of the fault
        Assert.Equal(before, bad.Version);

        var added = await catalog.Put(new CatalogFilter("fast_risers", "feature.lc_rise_rate < -0.5 and rb >= 0.5", "light", null, "risers", "team-a"));
        Assert.Null(added.Error);
        Assert.True(await sync0.PollAsync());
        Assert.True(await sync1.PollAsync());
        Assert.False(await sync0.PollAsync()); // nothing new
        Assert.Contains("fast_risers: feature.lc_rise_rate < -0.5 and rb >= 0.5 (Light)", inForce[0]);
        Assert.Contains("fast_risers: feature.lc_rise_rate < -0.5 and rb >= 0.5 (Light)", inForce[1]);
        Assert.Equal(sync0.Version, sync1.Version);

        Assert.NotNull(await catalog.Remove("fast_risers"));
        Assert.Null(await catalog.Remove("fast_risers"));
        await sync0.PollAsync();
        await sync1.PollAsync();
        Assert.DoesNotContain(inForce[0], f => f.StartsWith("fast_risers", StringComparison.Ordinal));
        Assert.DoesNotContain(inForce[1], f => f.StartsWith("fast_risers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_catalog_refuses_a_new_filter_beyond_its_limit_but_still_takes_changes()
    {
        var catalog = fixture.Client.GetGrain<IFilterCatalogGrain>(FilterCatalogGrain.Key);
        var existing = (await catalog.Get()).Filters.Length;
        var names = Enumerable.Range(0, ClusterFixture.CatalogLimit - existing).Select(i => $"cap_{i}").ToList();
        try
        {
            foreach (var name in names)
            {
                Assert.Null((await catalog.Put(new CatalogFilter(name, "rb >= 0.5", "light", null, null, null))).Error);
            }

            var version = (await catalog.Get()).Version;
            var refused = await catalog.Put(new CatalogFilter("one_too_many", "rb >= 0.5", "light", null, null, null));
            Assert.Contains("cluster.max_filters", refused.Error, StringComparison.Ordinal);
            Assert.Equal(version, refused.Version);
            Assert.DoesNotContain((await catalog.Get()).Filters, f => f.Name == "one_too_many");

            // At the limit an existing filter can still be changed.
            Assert.Null((await catalog.Put(new CatalogFilter(names[^1], "rb >= 0.9", "light", null, null, null))).Error);
        }
        finally
        {
            foreach (var name in names)
            {
                await catalog.Remove(name);
            }
        }
    }
}
