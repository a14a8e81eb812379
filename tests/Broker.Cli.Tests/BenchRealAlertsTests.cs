// `bench e2e --alerts PATHS`: the pipeline measured on real alerts (any form the sources read) instead of the
// generated night, so a survey's own message sizes show in the figures (Rubin's are above the large-object size
// ZTF's generated night never reaches); the report names the data and the collections each step cost.
namespace Broker.Cli.Tests;

public sealed class BenchRealAlertsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts", relative);

    [Fact]
    public void Real_rubin_alerts_are_replayed_and_the_report_names_them_and_the_collections()
    {
        var rubin = Path.Combine(AppContext.BaseDirectory, "fixtures", "rubin_kafka_v9") + "," + Fixture("rubin");
        var (code, output, error) = BrokerProcess.Run(Limit, "bench", "e2e", "--alerts", rubin, "--alone",
            "--rates", "100", "--seconds", "3", "--warmup", "100");
        Assert.True(code == 0, output + error);

        // Four real LSSTCam v9 alerts (three Kafka bodies with their schema, one container file), each above 85,000
        // bytes; the Confluent-framed v7.4 message needs a registry and is left out, and said so.
        Assert.Contains($"4 distinct messages of {rubin} (", output, StringComparison.Ordinal);
        Assert.Contains("1 items of", error, StringComparison.Ordinal);
        Assert.Matches(@"GCs gen0/1/2 \d+/\d+/\d+, paused \d+\.\d% of the time", output);
        var rate = System.Text.RegularExpressions.Regex.Match(output, @"bench=e2e mode=alone rate_100_per_s=(\d+) .* rate_100_gen2=\d+ rate_100_gc_paused_pct=[\d.]+ ");
        Assert.True(rate.Success, output);
        Assert.True(int.Parse(rate.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, output);
    }

    [Fact]
    public void Alerts_that_hold_no_readable_message_are_a_one_line_error()
    {
        var empty = Directory.CreateTempSubdirectory("bench-no-alerts-");
        try
        {
            var (code, _, error) = BrokerProcess.Run(Limit, "bench", "e2e", "--alerts", empty.FullName, "--alone");
            Assert.Equal(2, code);
            Assert.StartsWith("error: ", error.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }
}
