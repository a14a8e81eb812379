// `broker filter explain` as a subscriber runs it on an alert file: every clause with the alert's value and whether it
// held, the verdict agreeing with `broker filter test` on the same alert.
namespace Broker.Cli.Tests;

public sealed class FilterExplainCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private static readonly string Alert = Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts", "ztf", "kowalski_20231012");

    [Fact]
    public void A_failing_and_a_passing_filter_on_one_alert()
    {
        var (code, output, error) = BrokerProcess.Run(Deadline, "filter", "explain", "rb >= 0.5 and positive and (mag < 19 or rb_combined >= 0.74)", Alert);
        Assert.True(code == 0, output + error);
        Assert.Contains("Ztf alert 2475433850015010009 object ZTF17aadcvhq band g mag 17.86: does not pass", output, StringComparison.Ordinal);
        Assert.Contains("    no   positive    [positive = false]", output, StringComparison.Ordinal);
        Assert.Matches(@"    yes  rb >= 0\.5    \[rb = 0\.99\d*\]", output);
        Assert.Contains("      yes  mag < 19    [mag = 17.8557]", output, StringComparison.Ordinal);

        (code, output, error) = BrokerProcess.Run(Deadline, "filter", "explain", "not positive and band = 'g'", Alert, "--alert", "2475433850015010009");
        Assert.True(code == 0, output + error);
        Assert.Contains(": PASSES", output, StringComparison.Ordinal);
        Assert.Contains("filter_explain=1 alerts=1", output, StringComparison.Ordinal);

        (code, _, error) = BrokerProcess.Run(Deadline, "filter", "explain", "rb >= and", Alert);
        Assert.Equal(1, code);
        Assert.StartsWith("error: 1:", error, StringComparison.Ordinal);
    }
}
