// Runs a parsed command and turns the broker's typed configuration errors into one line on stderr and exit
// code 2, instead of a stack trace (a path that names nothing, or cannot be read, included). Unexpected exceptions still print in full: they are bugs.
using System.CommandLine;
using Broker.Kafka;
using Broker.Models.Cards;

namespace Broker.Cli.Hosting;

internal static class CliRunner
{
    /// <summary>Exit code for a configuration or environment problem the user can fix.</summary>
    public const int ConfigurationError = 2;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        try
        {
            var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
            return await root.Parse(args).InvokeAsync(configuration);
        }
        catch (Exception e) when (e is KafkaNativeLibraryException or KafkaConfigurationException or FormatException
            or ModelLoadException or Models.Onnx.OrtException or Pipeline.Configuration.PipelineConfigException
            or Sources.SourcePathException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ConfigurationError;
        }
    }
}
