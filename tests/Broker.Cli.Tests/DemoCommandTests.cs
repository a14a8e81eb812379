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

        // One silo ran the night: the night grains answer, and novelty is per survey, so Rubin alerts are never novel
        // to a ZTF-trained model just for lacking ZTF fields (ZTF's model names its snapshot "ztf:...").
        Assert.Contains("(one-silo cluster)", output, StringComparison.Ordinal);
        Assert.Contains("nights (from the night grains", output, StringComparison.Ordinal);
        Assert.Matches(@"\n  ztf:\d{4}-\d{2}-\d{2} +\d+ alerts", output);
        var novel = output[output.IndexOf("most novel alerts:", StringComparison.Ordinal)..output.IndexOf("ingest-to-publish latency", StringComparison.Ordinal)];
        Assert.DoesNotContain("\n  rubin ", novel, StringComparison.Ordinal);
    }
}
