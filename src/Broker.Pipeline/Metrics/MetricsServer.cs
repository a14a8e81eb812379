// The operator's endpoints on a loopback port (Kestrel): /metrics in Prometheus text format and /health as JSON
// (200 while starting or running, 503 once failed or stopped, so a supervisor can restart the process).
//
// /metrics is OpenTelemetry's Prometheus exporter over the pipeline's System.Diagnostics.Metrics instruments, plus
// the .NET runtime's (GC, JIT, thread pool, exceptions) and the process's (CPU, memory, threads). OpenTelemetry
// rather than prometheus-net: the instruments stay plain System.Diagnostics.Metrics (no exporter type in the
// pipeline), and the same provider can also push OTLP to a collector. Each server has its own MeterProvider that
// takes only its own pipeline's meter, so two pipelines in one process (tests, benches) never mix their series.
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Broker.Engine.Metrics;
using Broker.Pipeline.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Broker.Pipeline.Metrics;

public sealed class MetricsServer : IAsyncDisposable
{
    /// <summary>Bucket bounds (ms) for the latency histograms: 0.1 ms to 10 s.</summary>
    public static readonly double[] LatencyBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>Starts serving on <paramref name="listen"/> (host:port). A port in use is a PipelineConfigException naming the fix.</summary>
    public static async Task<MetricsServer> StartAsync(string listen, BrokerMetrics metrics, PipelineStatus status)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        Listen(builder, listen);
        AddMetrics(builder.Services, metrics);
        var app = builder.Build();
        MapEndpoints(app, status);
        return new MetricsServer(app, await StartWebAsync(app, listen).ConfigureAwait(false));
    }

    /// <summary>Binds Kestrel to <paramref name="listen"/> (IP:port; port 0 picks a free one).</summary>
    public static void Listen(WebApplicationBuilder builder, string listen)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var endpoint = ParseListen(listen) ?? throw new ArgumentException($"metrics.listen '{listen}' must be IP:port, e.g. 127.0.0.1:9464.", nameof(listen));
        builder.WebHost.UseKestrel(o => o.Listen(endpoint));
    }

    /// <summary>metrics.listen (IP:port, port 0..65535) as an endpoint; null when it is not one.</summary>
    public static IPEndPoint? ParseListen(string? listen)
    {
        var colon = listen?.LastIndexOf(':') ?? -1;
        return colon > 0 && IPAddress.TryParse(listen![..colon], out var ip) && int.TryParse(listen[(colon + 1)..], out var port) && port is >= 0 and <= 65535
            ? new IPEndPoint(ip, port)
            : null;
    }

    /// <summary>The OpenTelemetry meter provider behind /metrics: this pipeline's instruments, the runtime's and the process's.</summary>
    public static void AddMetrics(IServiceCollection services, BrokerMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        AddMetrics(services, metrics.MeterInstance, metrics.Owns);
    }

    /// <summary>
    /// The same, for a host built before its pipeline exists (the silo host: grains are needed to make the pipeline):
    /// <paramref name="owns"/> is asked once the meter provider starts.
    /// </summary>
    public static void AddMetrics(IServiceCollection services, string instance, Func<Instrument, bool> owns)
    {
        ArgumentNullException.ThrowIfNull(owns);
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("broker", serviceInstanceId: instance is { Length: > 0 } ? instance : null))
            .WithMetrics(m => m
                .AddMeter(BrokerMetrics.MeterName)
                .AddView(instrument => instrument.Meter.Name == BrokerMetrics.MeterName && !owns(instrument)
                    ? MetricStreamConfiguration.Drop
                    : instrument.Unit == "ms" ? new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets } : null)
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
    }

    /// <summary>/metrics and /health.</summary>
    public static void MapEndpoints(WebApplication app, PipelineStatus status) =>
        MapEndpoints<HealthDocument>(app, status, null, null);

    /// <summary>/metrics and /health; <paramref name="more"/> adds its typed fields to the health document, flat (the silo's view of its cluster).</summary>
    public static void MapEndpoints<TMore>(WebApplication app, PipelineStatus status, Func<TMore>? more, JsonTypeInfo<TMore>? moreJson)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(status);
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/health", () =>
        {
            // Readiness: 503 when failed, stopped or degraded (a part cannot work, or nothing moves while messages wait).
            var document = HealthDocument.Of(status, status.Problems);
            var healthy = document.Status is "starting" or "running" or "draining";
            var code = healthy ? 200 : 503;
            if (more is null || moreJson is null)
            {
                return Results.Json(document, HealthJson.Default.HealthDocument, statusCode: code);
            }

            var body = JsonSerializer.SerializeToNode(document, HealthJson.Default.HealthDocument)!.AsObject();
            foreach (var (key, value) in JsonSerializer.SerializeToNode(more(), moreJson)!.AsObject().ToList())
            {
                body[key] = value?.DeepClone();
            }

            return Results.Text(body.ToJsonString(), "application/json; charset=utf-8", statusCode: code);
        });

        // Liveness: the process works on, degraded or not; 503 only once it failed or stopped (restart it then).
        app.MapGet("/health/live", () =>
        {
            var alive = status.State is not (PipelineState.Failed or PipelineState.Stopped);
            return Results.Json(new LivenessDocument(alive ? "alive" : status.State.ToString().ToLowerInvariant()), HealthJson.Default.LivenessDocument, statusCode: alive ? 200 : 503);
        });
    }

    /// <summary>Starts <paramref name="app"/>; returns the bound address. A port in use is a PipelineConfigException naming the fix.</summary>
    public static async Task<Uri> StartWebAsync(WebApplication app, string listen)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new PipelineConfigException(
                $"metrics.listen {listen} is already in use (another broker on this host?). Fix: give each broker on a host its own metrics.listen port, or 127.0.0.1:0 for any free one.", e);
        }

        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
