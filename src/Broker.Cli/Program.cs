// The `broker` command line. Each concept has its command group under Commands/; this file only wires them.
using System.CommandLine;
using Broker.Cli.Commands;
using Broker.Cli.Hosting;

var root = new RootCommand("Real-time astronomical transient alert broker (ZTF, Rubin/LSST).");
root.Subcommands.Add(KafkaCommands.Create());
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(FeaturesCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(TrainEvalCommands.Train());
root.Subcommands.Add(TrainEvalCommands.Eval());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(Broker.Cli.Commands.Pipeline.RunCommand.Create());
root.Subcommands.Add(Broker.Cli.Commands.Pipeline.DemoCommand.Create());
root.Subcommands.Add(Broker.Cli.Commands.Pipeline.ReplayCommand.Create());
root.Subcommands.Add(Broker.Cli.Commands.Archive.ArchiveCommands.Create());
root.Subcommands.Add(Broker.Cli.Commands.Pipeline.SchemasCommand.Create());
root.Subcommands.Add(Broker.Cli.Commands.Filters.FilterCommands.Create());
root.Subcommands.Add(Broker.Cli.Commands.Subscribers.ListenCommand.Create());

return await CliRunner.RunAsync(root, args);
