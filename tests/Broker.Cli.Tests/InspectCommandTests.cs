using System.Text.Json;

namespace Broker.Cli.Tests;

/// <summary>`broker inspect` as a user runs it: summaries, typed errors with offsets, exit codes.</summary>
public sealed class InspectCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts", relative);

    private static string FixtureRoot(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    [Fact]
    public void A_good_file_is_summarized_with_exit_code_0()
    {
        var (code, output, _) = BrokerProcess.Run(Deadline, "inspect", Fixture("ztf/kowalski_20231012/2475433850015010009.avro"));
        Assert.Equal(0, code);
        Assert.Contains("Ztf alert 2475433850015010009", output, StringComparison.Ordinal);
        Assert.Contains("schema 4.01", output, StringComparison.Ordinal);
        Assert.Contains("science 63x63 gzip FITS", output, StringComparison.Ordinal);
        Assert.Contains("1 files, 1 items: 1 decoded (1 alerts), 0 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_does_not_exist_is_one_line_and_exit_code_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), "broker-no-such-night", "alerts");
        foreach (var command in new[] { "inspect", "replay" })
        {
            var (code, output, error) = BrokerProcess.Run(Deadline, command, missing);
            Assert.Equal(2, code);
            Assert.Equal($"error: {missing}: no such file or folder.", error.Trim());
            Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Fink_parquet_and_a_kafka_dump_are_summarized_per_file()
    {
        var (code, output, _) = BrokerProcess.Run(Deadline, "inspect", "--summary", FixtureRoot("ztf_parquet", "layouts"), FixtureRoot("rubin_kafka_v9"));
        Assert.Equal(0, code);
        Assert.Contains("alert_samples.parquet: Fink Parquet; Ztf; schema 3.3; 11 alerts, 11 with all three cutouts", output, StringComparison.Ordinal);
        Assert.Contains("00_0000004283.avro: schemaless Avro bodies read with schema.json; Rubin; schema lsst.v9_0.alert; 1 alerts, 1 with all three cutouts", output, StringComparison.Ordinal);
        Assert.Contains("5 files, 23 items: 23 decoded (23 alerts), 0 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_file_gives_its_offset_and_a_nonzero_exit_code_in_json()
    {
        var (code, output, _) = BrokerProcess.Run(Deadline, "inspect", "--json",
            Fixture("ztf_edge_cases/truncated_corrupt/516401801315010009.avro"),
            Fixture("ztf_edge_cases/multi_record_ocf/avro_multi_alerts_other.avro"));
        Assert.Equal(1, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.False(lines[0].GetProperty("ok").GetBoolean());
        Assert.Equal("Avro", lines[0].GetProperty("stage").GetString());
        Assert.Equal(18549, lines[0].GetProperty("offset").GetInt64());
        Assert.True(lines[1].GetProperty("ok").GetBoolean());
        Assert.Equal(3, lines[1].GetProperty("alerts").GetArrayLength());
    }

    [Fact]
    public void Bench_decode_ends_with_a_key_value_line()
    {
        var (code, output, _) = BrokerProcess.Run(Deadline, "bench", "decode", Fixture("ztf_schema_versions"), "--seconds", "0.2");
        Assert.Equal(0, code);
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("bench=decode ", last, StringComparison.Ordinal);
        Assert.Matches(@"alerts_per_s=\d+", last);
    }
}
