// The one merge of the three subscription sources: configuration first, then the folder's files, then the
// catalog; a later source's filter never displaces an earlier one of the same name, a refused check keeps a filter
// out with its reason, and a change of one source keeps the other's filters.
using Broker.Engine.Routing;
using Broker.Filters;

namespace Broker.Filters.Tests;

public sealed class FilterSourcesTests
{
    private static ExpressionFilter F(string name, string where = "rb >= 0.5", string? topic = null) =>
        new FilterDefinition { Name = name, Where = where, Topic = topic }.Compile();

    [Fact]
    public void Configuration_then_files_then_catalog_and_a_later_name_clash_is_refused_with_its_reason()
    {
        var set = new FilterSet();
        var sources = new FilterSources(set, [F("real")]);
        sources.Merge();
        Assert.Equal(["real"], set.Filters.Select(f => f.Name));

        var fileRefusals = sources.SetFiles([F("real", "rb > 0.9"), F("bright", "mag < 17")]);
        Assert.Contains("configuration already defines filter 'real'", fileRefusals["real"], StringComparison.Ordinal);
        Assert.Equal(["real", "bright"], set.Filters.Select(f => f.Name));
        Assert.Equal("rb >= 0.5", ((ExpressionFilter)set.Filters[0]).Definition.Where);

        var catalogRefusals = sources.SetCatalog([F("bright", "mag < 15"), F("novel", "novelty >= 0.6")]);
        Assert.Contains("earlier source", catalogRefusals["bright"], StringComparison.Ordinal);
        Assert.Equal(["real", "bright", "novel"], set.Filters.Select(f => f.Name));

        // The folder changes: the catalog's filters stay, and the name the files gave up is the catalog's now.
        sources.SetFiles([]);
        Assert.Equal(["real", "bright", "novel"], set.Filters.Select(f => f.Name));
        Assert.Equal("mag < 15", ((ExpressionFilter)set.Filters[1]).Definition.Where);
        Assert.Empty(sources.CatalogRefusals);
    }

    [Fact]
    public void A_filter_the_check_refuses_stays_out_and_its_name_stays_free()
    {
        var set = new FilterSet();
        var sources = new FilterSources(set, []);
        string? NoSuchTopic(IAlertFilter f) => f.Topic == "missing" ? "its topic missing does not exist and cannot be created: denied" : null;

        var refused = sources.SetFiles([F("a", topic: "missing")], NoSuchTopic);
        Assert.Equal("its topic missing does not exist and cannot be created: denied", refused["a"]);
        Assert.Empty(set.Filters);

        refused = sources.SetCatalog([F("a")], NoSuchTopic);
        Assert.Empty(refused);
        Assert.Equal(["a"], set.Filters.Select(f => f.Name));
    }
}
