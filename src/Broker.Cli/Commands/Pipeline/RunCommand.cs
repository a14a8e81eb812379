// `broker run --config FILE`: one silo of the broker cluster against a Kafka cluster, until SIGINT/SIGTERM (drain,
// commit, exit 0) or a fatal error (exit 1, nothing past it committed). deploy/broker.json is an annotated example;
// its cluster section says how silos find each other (docs/cluster.md). `--no-cluster` runs the pipeline alone,
// as before the cluster (no grains: novelty learned in-process, no object history), for comparisons.
using System.CommandLine;
using Broker.Cli.Hosting;
using Broker.Cluster.Hosting;
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
        var alone = new Option<bool>("--no-cluster") { Description = "Run the pipeline without a silo (no grains: in-process novelty, no object history)." };
        var command = new Command("run", "Run the streaming broker: consume alerts, score them, publish annotated, filtered and dead-letter streams.")
        {
            config, bootstrap, json, alone,
        };
        command.SetAction(async (parse, cancel) =>
        {
            BrokerOptions options;
            try
            {
                options = BrokerOptions.Load(parse.GetValue(config)!.FullName);
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
            using var shutdown = new ShutdownSignal(cancel);
            try
            {
                var mode = parse.GetValue(alone) ? BrokerMode.Alone : BrokerMode.Silo;
                await using var broker = await BrokerHost.StartAsync(options, logs, mode, endpoints: Broker.Dashboard.DashboardEndpoints.Map);
                Announce(broker.Address, broker.SiloAddress);
                await broker.RunAsync(shutdown.Token);
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

    // One line a supervisor or a test can parse: where this silo's endpoints are.
    private static void Announce(Uri? address, string? silo)
    {
        var endpoints = address is null ? "metrics=none" : $"metrics={address}metrics health={address}health" + (silo is null ? string.Empty : $" dashboard={address}");
        Console.Out.WriteLine(silo is null ? endpoints : $"{endpoints} silo={silo}");
        Console.Out.Flush();
    }
}
