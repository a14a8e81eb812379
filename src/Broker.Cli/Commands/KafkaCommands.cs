// `broker kafka ...`: the embedded Kafka cluster (serve) and a reachability check for a real one (check).
using System.CommandLine;
using System.Globalization;
using Broker.Cli.Hosting;
using Broker.Kafka.Configuration;
using Broker.Kafka.Embedded;

namespace Broker.Cli.Commands;

internal static class KafkaCommands
{
    public static Command Create()
    {
        var kafka = new Command("kafka", "Run an embedded Kafka cluster, or check a real one.");
        kafka.Subcommands.Add(Serve());
        kafka.Subcommands.Add(Check());
        return kafka;
    }

    private static Command Serve()
    {
        var brokers = new Option<int>("--brokers") { Description = "Number of brokers.", DefaultValueFactory = _ => 3 };
        var topics = new Option<string[]>("--topic")
        {
            Description = "Topic to create, as name or name:partitions (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        var bootstrapFile = new Option<FileInfo?>("--bootstrap-file")
        {
            Description = "Also write the bootstrap address to this file (for scripts and other processes).",
        };
        var duration = new Option<double?>("--seconds") { Description = "Stop by itself after this many seconds." };

        var command = new Command("serve", "Start an embedded Kafka cluster on 127.0.0.1 (librdkafka's mock) and run until stopped.")
        {
            brokers, topics, bootstrapFile, duration,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var specs = (parse.GetValue(topics) ?? []).Select(TopicSpec.Parse).ToList();
            using var shutdown = new ShutdownSignal(cancel);
            var cluster = EmbeddedKafkaCluster.Start(parse.GetValue(brokers), specs);
            try
            {
                // First line is machine-readable: other processes read it to find the cluster.
                Console.Out.WriteLine($"bootstrap.servers={cluster.BootstrapServers}");
                var file = parse.GetValue(bootstrapFile);
                if (file is not null)
                {
                    await File.WriteAllTextAsync(file.FullName, cluster.BootstrapServers + "\n", CancellationToken.None);
                }

                foreach (var (name, count) in cluster.Topics)
                {
                    Console.Out.WriteLine($"topic {name} partitions={count}");
                }

                Console.Out.WriteLine(
                    $"Embedded Kafka ({cluster.BrokerCount} brokers, librdkafka {EmbeddedKafkaCluster.LibrdkafkaVersion} from {Kafka.Native.LibrdkafkaLoader.LoadedPath}) is running. "
                    + "Ctrl+C or SIGTERM stops it.");
                Console.Out.Flush();

                var seconds = parse.GetValue(duration);
                try
                {
                    await Task.Delay(seconds is { } s ? TimeSpan.FromSeconds(s) : Timeout.InfiniteTimeSpan, shutdown.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
            finally
            {
                // librdkafka's mock cluster closes its brokers' sockets and threads on disposal; once (under heavy load, with
                // a client just gone) that waited past a minute. A stop must stay bounded: give it 10 s, then leave anyway
                // (the process's exit ends the native threads; nothing here is durable).
                var closing = Task.Run(cluster.Dispose, CancellationToken.None);
                if (!closing.Wait(TimeSpan.FromSeconds(10), CancellationToken.None))
                {
                    await Console.Error.WriteLineAsync("the embedded cluster did not close within 10 s; exiting without waiting for it");
                }
            }

            Console.Out.WriteLine("Embedded Kafka stopped.");
            return 0;
        });
        return command;
    }

    private static Command Check()
    {
        var bootstrap = new Option<string>("--bootstrap") { Description = "bootstrap.servers to check.", Required = true };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait per step.", DefaultValueFactory = _ => 5 };
        var command = new Command("check", "Check that a Kafka cluster is reachable and answers; say what is wrong if not.")
        {
            bootstrap, timeout,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var address = parse.GetValue(bootstrap)!;
            var brokerCount = await KafkaPreflight.CheckAsync(address, TimeSpan.FromSeconds(parse.GetValue(timeout)), cancel);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ok: {address} answers with {brokerCount} broker(s)"));
            return 0;
        });
        return command;
    }
}
