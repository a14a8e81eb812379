// The operator's endpoints on a loopback port (Kestrel): /metrics in Prometheus text format and /health as JSON
// (200 while starting or running, 503 once failed or stopped, so a supervisor can restart the process).
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broker.Pipeline.Metrics;

public sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>Starts serving on <paramref name="listen"/> (host:port).</summary>
    public static async Task<MetricsServer> StartAsync(string listen, PrometheusExporter exporter, PipelineStatus status)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(exporter);
        ArgumentNullException.ThrowIfNull(status);
        var colon = listen.LastIndexOf(':');
        if (colon <= 0 || !IPAddress.TryParse(listen[..colon], out var ip) || !int.TryParse(listen[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            throw new ArgumentException($"metrics.listen '{listen}' must be IP:port, e.g. 127.0.0.1:9464.", nameof(listen));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(ip, port));
        var app = builder.Build();
        app.MapGet("/metrics", () => Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapGet("/health", () =>
        {
            var healthy = status.State is PipelineState.Starting or PipelineState.Running or PipelineState.Draining;
            var body = new Dictionary<string, object?>
            {
                ["status"] = status.State.ToString().ToLowerInvariant(),
                ["error"] = status.Error,
                ["assigned"] = status.Assigned,
                ["consumed"] = status.Consumed,
                ["published"] = status.Published,
                ["dead_lettered"] = status.DeadLettered,
                ["filters"] = status.FiltersInForce,
                ["filter_files"] = status.FilterFiles.Select(f => new Dictionary<string, object?>
                {
                    ["path"] = f.Path,
                    ["filter"] = f.Name,
                    ["in_force"] = f.Active,
                    ["error"] = f.Error,
                }).ToList(),
            };
            return Results.Json(body, statusCode: healthy ? 200 : 503);
        });
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MetricsServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
