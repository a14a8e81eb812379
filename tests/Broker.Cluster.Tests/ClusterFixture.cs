using Broker.Cluster.Catalog;
// A two-silo in-process Orleans cluster with the broker's grain storage (memory), shared by the grain tests.
using Broker.Cluster.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Broker.Cluster.Tests;

public sealed class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Client => Cluster.Client;

    /// <summary>The grain factory of silo <paramref name="index"/> (what a pipeline in that silo would use).</summary>
    public IGrainFactory Silo(int index) =>
        Cluster.GetSiloServiceProvider(Cluster.Silos[index].SiloAddress).GetRequiredService<IGrainFactory>();

    /// <summary>The filter catalog's cap in this test cluster (cluster.max_filters; the default is 256).</summary>
    public const int CatalogLimit = 40;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            foreach (var name in SiloConfiguration.StorageNames)
            {
                silo.AddMemoryGrainStorage(name);
            }

            silo.Configure<FilterCatalogOptions>(o => o.MaxFilters = CatalogLimit);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "two-silo cluster";
}
