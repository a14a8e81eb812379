namespace Broker.Cli.Tests;

public sealed class DemoCommandTests
{
    [Fact]
    public void Demo_runs_the_whole_pipeline_and_ends_by_itself_with_every_message_accounted_for()
    {
        var (code, output, error) = BrokerProcess.Run(TimeSpan.FromSeconds(240), "demo", "--generated", "300", "--rate", "0", "--seconds", "150");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("demo=done ", last, StringComparison.Ordinal);
        Assert.Contains("complete=true", last, StringComparison.Ordinal);
        Assert.Contains("demo.annotated", output, StringComparison.Ordinal);
        Assert.Contains("decode.avro", output, StringComparison.Ordinal); // the two truncated fixtures
        Assert.Contains("most novel alerts:", output, StringComparison.Ordinal);
    }
}
