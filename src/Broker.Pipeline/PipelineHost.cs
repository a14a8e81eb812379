// Runs a pipeline with its operator endpoints: /metrics and /health when configured. What `broker run`,
// `broker demo` and `broker bench e2e` all start, so they behave the same.
using Broker.Pipeline.Configuration;
using Broker.Pipeline.Metrics;
using Microsoft.Extensions.Logging;

namespace Broker.Pipeline;

public static class PipelineHost
{
    /// <summary>Runs <paramref name="pipeline"/> until <paramref name="stop"/>; <paramref name="started"/> gets the metrics address (or null).</summary>
    public static async Task RunAsync(BrokerPipeline pipeline, CancellationToken stop, Action<Uri?>? started = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (pipeline.Options.Metrics.Listen is not { } listen)
        {
            started?.Invoke(null);
            await pipeline.RunAsync(stop).ConfigureAwait(false);
            return;
        }

        await using var server = await MetricsServer.StartAsync(listen, pipeline.Metrics, pipeline.Status).ConfigureAwait(false);
        started?.Invoke(server.Address);
        await pipeline.RunAsync(stop).ConfigureAwait(false);
    }

    /// <summary>Console logging: one JSON object per line (for log collectors) or readable text.</summary>
    public static ILoggerFactory Logging(bool json, LogLevel level = LogLevel.Information) => LoggerFactory.Create(b =>
    {
        b.SetMinimumLevel(level);
        if (json)
        {
            b.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
    });
}
