// `broker train ...` and `broker eval ...`: one subcommand per model kind.
using System.CommandLine;
using Broker.Cli.Commands.Cnn;
using Broker.Cli.Commands.Novelty;
using Broker.Cli.Commands.RealBogus;

namespace Broker.Cli.Commands;

internal static class TrainEvalCommands
{
    public static Command Train()
    {
        var train = new Command("train", "Train a model on generated labeled alerts; writes the model file and its card under models/.");
        train.Subcommands.Add(RealBogusCommands.Train());
        train.Subcommands.Add(CnnCommands.Train());
        train.Subcommands.Add(CnnQuantizeCommand.Create());
        train.Subcommands.Add(CnnStackCommand.Create());
        train.Subcommands.Add(RealBogus.SurveyStackCommand.Create());
        return train;
    }

    public static Command Eval()
    {
        var eval = new Command("eval", "Measure a model; ends with one key=value line.");
        eval.Subcommands.Add(RealBogusCommands.Eval());
        eval.Subcommands.Add(CnnCommands.Eval());
        eval.Subcommands.Add(NoveltyCommands.Eval());
        eval.Subcommands.Add(EvalRealCommand.Create());
        eval.Subcommands.Add(EvalGeneratorCommand.Create());
        return eval;
    }
}
