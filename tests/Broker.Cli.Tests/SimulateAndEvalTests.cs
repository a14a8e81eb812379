using System.Globalization;

namespace Broker.Cli.Tests;

public sealed class SimulateAndEvalTests
{
    private static string FixtureAlerts => Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts");

    [Fact]
    public void Simulate_writes_alert_files_and_labels_that_inspect_decodes()
    {
        var dir = Directory.CreateTempSubdirectory("simulate-").FullName;
        try
        {
            var (code, output, error) = BrokerProcess.Run(TimeSpan.FromMinutes(2), "simulate", "--scenes", FixtureAlerts, "--count", "12", "--seed", "4", "--out", dir);
            Assert.True(code == 0, output + error);
            var labels = File.ReadAllLines(Path.Combine(dir, "labels.csv"));
            Assert.Equal(13, labels.Length);
            Assert.Equal(6, labels.Skip(1).Count(l => l.Split(',')[2] == "1"));
            Assert.Equal(12, Directory.GetFiles(dir, "*.avro").Length);
            var inspect = BrokerProcess.Run(TimeSpan.FromMinutes(1), "inspect", dir);
            Assert.Equal(0, inspect.ExitCode);
            Assert.Contains("12 files, 12 items: 12 decoded (12 alerts), 0 failed", inspect.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Eval_rb_ends_with_a_key_value_line()
    {
        var (code, output, error) = BrokerProcess.Run(TimeSpan.FromMinutes(3), "eval", "rb", "--scenes", FixtureAlerts, "--real", FixtureAlerts, "--test", "400");
        Assert.True(code == 0, output + error);
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("eval_rb=1 model=rb-fasttree-", last, StringComparison.Ordinal);
        Assert.Matches(@"mdr_at_1pct_fpr=0\.\d{4} auc=0\.9\d{3} n=400 ", last);
    }

    [Fact]
    public void Eval_cnn_measures_cnn_trees_and_their_stack_and_ends_with_a_key_value_line()
    {
        var (code, output, error) = BrokerProcess.Run(TimeSpan.FromMinutes(3), "eval", "cnn", "--scenes", FixtureAlerts, "--real", FixtureAlerts, "--test", "300");
        Assert.True(code == 0, output + error);
        Assert.Contains("CNN, held-out generated set", output, StringComparison.Ordinal);
        Assert.Contains("combined (stacked) score, same alerts", output, StringComparison.Ordinal);
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("eval_cnn=1 model=cnn-onnx-", last, StringComparison.Ordinal);
        Assert.Matches(@"mdr_at_1pct_fpr=\d\.\d{4} auc=0\.9\d{3} rb_mdr_at_1pct_fpr=\d\.\d{4} rb_auc=0\.9\d{3} combined_mdr_at_1pct_fpr=\d\.\d{4} combined_auc=0\.9\d{3} n=300 ", last);

        // What likely_real (combined >= 0.74 and positive) lets through of the same generated alerts: few artifacts, most reals.
        Assert.Matches(@"likely_real on the held-out generated set .* \(score >= 0\.74 and positive\): bogus passing \d+ of \d+ ", output);
        var kv = last.Split(' ').Select(p => p.Split('=')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        Assert.InRange(double.Parse(kv["likely_real_bogus_pass"], CultureInfo.InvariantCulture), 0, 0.2);
        Assert.InRange(double.Parse(kv["likely_real_reals_kept"], CultureInfo.InvariantCulture), 0.6, 1);
    }

    [Fact]
    public void Bench_cnn_reports_batch_1_the_default_batch_and_the_batcher()
    {
        var (code, output, error) = BrokerProcess.Run(TimeSpan.FromMinutes(2), "bench", "cnn", FixtureAlerts, "--seconds", "0.2");
        Assert.True(code == 0, output + error);
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.Matches(@"^bench=cnn model=cnn-onnx-int8-[0-9a-f]{12} batch1_per_s=\d+ batch16_per_s=\d+ batch64_per_s=\d+ us_preprocess=[\d.]+ batcher_per_s=\d+ ", last);
    }

    [Fact]
    public void A_missing_cnn_model_is_a_one_line_error_with_exit_code_2()
    {
        var (code, output, error) = BrokerProcess.Run(TimeSpan.FromMinutes(1), "bench", "cnn", FixtureAlerts, "--model", "/nonexistent/cnn");
        Assert.Equal(2, code);
        Assert.Contains("error: No model card at /nonexistent/cnn/card.json", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_novelty_reports_every_subspace_and_the_batch_comparison_in_its_key_value_line()
    {
        var snapshot = Path.Combine(Path.GetTempPath(), $"broker-novelty-{Guid.NewGuid():N}.bin");
        try
        {
            var (code, output, error) = BrokerProcess.Run(TimeSpan.FromMinutes(3), "eval", "novelty", "--scenes", FixtureAlerts,
                "--normal", "3000", "--rare", "6", "--save-snapshot", snapshot);
            Assert.True(code == 0, output + error);
            Assert.Contains("top-k overlaps between subspaces", output, StringComparison.Ordinal);
            var last = output.TrimEnd().Split('\n')[^1];
            Assert.Matches(@"^eval_novelty=1 snapshot=nov-1-\d+-[0-9a-f]{12} auc=0\.\d{4} batch_auc=0\.\d{4} auc_gap=-?0\.\d{4} precision_at_k=[\d.]+ recall_at_k=[\d.]+ k=30 ", last);
            foreach (var subspace in new[] { "photometry", "shape", "pixels", "history", "context", "all" })
            {
                Assert.Contains($" auc_{subspace}=", last, StringComparison.Ordinal);
            }

            Assert.True(new FileInfo(snapshot).Length > 10_000);
        }
        finally
        {
            File.Delete(snapshot);
        }
    }

    [Fact]
    public void Bench_novelty_reports_scoring_and_learning_rates()
    {
        var (code, output, error) = BrokerProcess.Run(TimeSpan.FromMinutes(2), "bench", "novelty", "--scenes", FixtureAlerts, "--count", "600", "--seconds", "0.3");
        Assert.True(code == 0, output + error);
        Assert.Matches(@"^bench=novelty score_per_s=\d+ update_per_s=\d+ ", output.TrimEnd().Split('\n')[^1]);
    }
}
