// `broker run --config FILE`: the streaming broker against a Kafka cluster, until SIGINT/SIGTERM (drain, commit,
// exit 0) or a fatal error (exit 1, nothing past it committed). deploy/broker.json is an annotated example.
using System.CommandLine;
using Broker.Cli.Hosting;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Microsoft.Extensions.Logging;

namespace Broker.Cli.Commands.Pipeline;

internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "Pipeline configuration (JSON; see deploy/broker.json).", Required = true };
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Override kafka.bootstrap_servers." };
        var json = new Option<bool>("--log-json") { Description = "Log one JSON object per line (for log collectors)." };
        var command = new Command("run", "Run the streaming broker: consume alerts, score them, publish annotated, filtered and dead-letter streams.")
        {
            config, bootstrap, json,
        };
        command.SetAction(async (parse, cancel) =>
        {
            PipelineOptions options;
            try
            {
                options = PipelineHost.LoadOptions(parse.GetValue(config)!.FullName);
            }
            catch (PipelineConfigException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }

            if (parse.GetValue(bootstrap) is { } servers)
            {
                options = options with { Kafka = options.Kafka with { BootstrapServers = servers } };
            }

            using var logs = PipelineHost.Logging(parse.GetValue(json));
            var log = logs.CreateLogger("broker");
            using var shutdown = new ShutdownSignal(cancel);
            await using var pipeline = BrokerPipeline.Create(options, log);
            try
            {
                await PipelineHost.RunAsync(pipeline, shutdown.Token, address =>
                {
                    if (address is not null)
                    {
                        Console.Out.WriteLine($"metrics={address}metrics health={address}health");
                        Console.Out.Flush();
                    }
                });
                return 0;
            }
            catch (PipelineFailedException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
