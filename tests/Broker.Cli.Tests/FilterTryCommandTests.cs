// `broker filter try` as a subscriber runs it before subscribing: real ZTF alerts (Fink Parquet fixtures, three nights)
// replayed through the pipeline with two subscriptions into an archive run, then each subscription's expression tried
// on every night. What the trial passes must be what the pipeline sent that night: the replay's own match counts and
// the names in each published annotation.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Cli.Tests;

public sealed partial class FilterTryCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);

    [Fact]
    public void A_trial_on_each_archived_night_passes_what_the_pipeline_sent()
    {
        var folder = Directory.CreateTempSubdirectory("broker-filter-try-");
        try
        {
            var root = AppContext.BaseDirectory;
            var config = Path.Combine(folder.FullName, "broker.json");
            File.WriteAllText(config, $$"""
                { "models": { "rb": "{{Path.Combine(root, "models", "rb")}}", "cnn": "{{Path.Combine(root, "models", "cnn")}}" },
                  "filters": [ { "name": "likely_real", "where": "rb_combined >= 0.74 and positive" },
                               { "name": "bright", "where": "mag < 18.5" } ] }
                """);
            var run = Path.Combine(folder.FullName, "run");
            var (code, output, error) = BrokerProcess.Run(Limit, "replay", Path.Combine(root, "fixtures", "ztf_parquet"), "--config", config, "--out", run);
            Assert.True(code == 0, output + error);
            var sent = new Dictionary<string, int>
            {
                ["likely_real"] = Sent(output, "likely_real"),
                ["bright"] = Sent(output, "bright"),
            };
            Assert.True(sent["bright"] > 0 && sent["likely_real"] > 0, output);

            (code, output, error) = BrokerProcess.Run(Limit, "archive", "nights", run);
            Assert.True(code == 0, output + error);
            var nights = NightLine().Matches(output).Select(m => m.Groups[1].Value).ToList();
            Assert.True(nights.Count >= 2, output);

            foreach (var (name, where) in new[] { ("likely_real", "rb_combined >= 0.74 and positive"), ("bright", "mag < 18.5") })
            {
                var passed = 0;
                foreach (var night in nights)
                {
                    (code, output, error) = BrokerProcess.Run(Limit, "filter", "try", where, "--archive", run, "--night", night, "--show", "2");
                    Assert.True(code == 0, output + error);
                    var nightPassed = int.Parse(Regex.Match(output, @"^ztf \S+: (\d+) of \d+ alerts pass", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
                    passed += nightPassed;

                    // The night's files recorded the subscription: the trial and the live routing agree alert for alert.
                    Assert.Contains($"live: subscription '{name}' (the same expression) was sent {nightPassed} of these alerts; this trial passes {nightPassed} of them and 0 others", output, StringComparison.Ordinal);
                    Assert.Equal(Math.Min(2, nightPassed), Regex.Matches(output, "^  pass ", RegexOptions.Multiline).Count);
                }

                Assert.Equal(sent[name], passed);
            }

            // "Why was this (not) sent": one archived alert explained with the annotation it was published with.
            (code, output, error) = BrokerProcess.Run(Limit, "filter", "try", "mag >= 0", "--archive", run, "--night", nights[1], "--show", "50");
            Assert.True(code == 0, output + error);
            var ids = Regex.Matches(output, @"^  pass  \S+ alert (\d+) .* mag ([\d.]+) ", RegexOptions.Multiline)
                .Select(m => (Id: m.Groups[1].Value, Mag: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
            var (bright, faint) = (ids.First(i => i.Mag < 18.4).Id, ids.First(i => i.Mag > 18.6).Id);
            (code, output, error) = BrokerProcess.Run(Limit, "filter", "explain", "mag < 18.5", "--archive", run, "--alert", bright);
            Assert.True(code == 0, output + error);
            Assert.Contains($"alert {bright} ", output, StringComparison.Ordinal);
            Assert.Contains(": PASSES", output, StringComparison.Ordinal);
            Assert.Matches(@"published with filters \[[^\]]*bright", output);
            (code, output, error) = BrokerProcess.Run(Limit, "filter", "explain", "mag < 18.5", "--archive", run, "--alert", faint);
            Assert.True(code == 0, output + error);
            Assert.Contains(": does not pass", output, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"published with filters \[[^\]]*bright", output);
            Assert.Matches(@"no   mag < 18\.5    \[mag = 1[89]\.", output);
            (code, _, error) = BrokerProcess.Run(Limit, "filter", "explain", "mag < 18.5", "--archive", run, "--alert", "42");
            Assert.Equal(1, code);
            Assert.Contains("alert 42 is not in the archive", error, StringComparison.Ordinal);

            // Without --night: the latest night; a night the archive does not hold: exit 2 naming those it does.
            (code, output, _) = BrokerProcess.Run(Limit, "filter", "try", "mag < 18.5", "--archive", run);
            Assert.Equal(0, code);
            Assert.StartsWith($"ztf {nights.Max()}:", output, StringComparison.Ordinal);
            (code, _, error) = BrokerProcess.Run(Limit, "filter", "try", "mag < 18.5", "--archive", run, "--night", "1999-01-01");
            Assert.Equal(2, code);
            Assert.Contains($"ztf {nights[0]}", error, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // The replay's summary: per night, each filter's matches.
    private static int Sent(string output, string filter) =>
        Regex.Matches(output, $@"^  filter {filter}\s+(\d+) matches", RegexOptions.Multiline).Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^ztf\s+(\d{4}-\d{2}-\d{2})", RegexOptions.Multiline)]
    private static partial Regex NightLine();
}
