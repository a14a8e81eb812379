using System.Text.Json;

namespace Broker.Cli.Tests;

/// <summary>`broker inspect` as a user runs it: summaries, typed errors with offsets, exit codes.</summary>
public sealed class InspectCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts", relative);

    [Fact]
    public void A_good_file_is_summarized_with_exit_code_0()
    {
        var (code, output, _) = BrokerProcess.Run(Deadline, "inspect", Fixture("ztf/kowalski_20231012/2475433850015010009.avro"));
        Assert.Equal(0, code);
        Assert.Contains("Ztf alert 2475433850015010009", output, StringComparison.Ordinal);
        Assert.Contains("schema 4.01", output, StringComparison.Ordinal);
        Assert.Contains("science 63x63 gzip FITS", output, StringComparison.Ordinal);
        Assert.Contains("1 of 1 files decoded, 0 failed", output, StringComparison.Ordinal);
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
