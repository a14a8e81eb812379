// The one composition root (BrokerHost.AddBroker): in a silo the syncers are a hosted service registered after
// Orleans' own, so the host stops them first (they flush to grains the silo still serves); the pipeline alone gets
// no silo and no syncers; either way the archive is wired to the pipeline's filters where the parts are made.
using Broker.Archive;
using Broker.Cluster.Hosting;
using Broker.Engine;
using Broker.Pipeline.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Cluster.Tests;

public sealed class BrokerCompositionTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("broker-composition-");

    public void Dispose() => _state.Delete(recursive: true);

    private BrokerOptions Options() => new()
    {
        Kafka = new KafkaOptions { BootstrapServers = "127.0.0.1:9", GroupId = "composition", InputTopics = ["composition.in"], OutputPrefix = "composition" },
        Schemas = new SchemaOptions { OutputDirectory = Path.Combine(_state.FullName, "schemas") },
        Models = new ModelOptions { Rb = Path.Combine(AppContext.BaseDirectory, "models", "rb"), Cnn = null },
        Metrics = new MetricsOptions { Listen = null },
        Archive = new ArchiveOptions { Directory = Path.Combine(_state.FullName, "archive"), Writer = "test" },
    };

    [Fact]
    public void A_silos_syncers_are_registered_after_orleans_so_they_stop_first()
    {
        var builder = WebApplication.CreateSlimBuilder();
        BrokerHost.AddBroker(builder, Options(), BrokerMode.Silo);
        var hosted = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToList();
        var syncers = hosted.FindIndex(d => d.ImplementationType == typeof(SiloSyncers));
        var orleans = hosted.FindIndex(d => (d.ImplementationType ?? d.ImplementationInstance?.GetType())?.Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true
            || d.ImplementationFactory?.Method.DeclaringType?.Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true);
        Assert.True(orleans >= 0, "Orleans registers a hosted service: " + string.Join(", ", hosted.Select(d => d.ImplementationType?.Name ?? d.ImplementationFactory?.Method.DeclaringType?.FullName)));
        Assert.True(syncers > orleans, $"syncers at {syncers}, Orleans at {orleans}");
    }

    [Fact]
    public async Task The_pipeline_alone_has_no_silo_and_its_archive_evaluates_the_pipelines_filters()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance);
        BrokerHost.AddBroker(builder, Options(), BrokerMode.Alone);
        Assert.DoesNotContain(builder.Services, d => d.ImplementationType == typeof(SiloSyncers));
        await using var app = builder.Build();
        var parts = app.Services.GetRequiredService<BrokerParts>();
        try
        {
            Assert.Null(parts.Silo);
            Assert.Null(parts.Recent);
            Assert.NotNull(parts.Archive);
            Assert.Same(parts.Pipeline.Filters, parts.Archive.Filters);
            Assert.Same(parts, app.Services.GetRequiredService<BrokerParts>());
        }
        finally
        {
            await parts.Pipeline.DisposeAsync();
            await parts.Archive!.DisposeAsync();
        }
    }
}
