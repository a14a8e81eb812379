// A short coverage-guided run in the test suite: scripts/fuzz publishes the harness, instruments the parsers with
// SharpFuzz and runs afl-fuzz on each target for a few seconds. The self-test target shows that a crash is found,
// saved and reported; the parser targets must find none in their short run (the long run is `scripts/fuzz all`).
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Broker.Fuzzing.Tests;

public sealed partial class AflRunTests : IClassFixture<AflRunTests.Workspace>
{
    private readonly Workspace _workspace;

    public AflRunTests(Workspace workspace) => _workspace = workspace;

    [Fact]
    public void A_crash_is_found_saved_and_reported()
    {
        var crashes = Path.Combine(_workspace.Folder, "selftest-crashes");
        var (exit, output) = _workspace.Fuzz($"selftest --seconds 15 --crashes {crashes}");

        Assert.True(exit == 1, $"exit {exit}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("fuzz selftest ", StringComparison.Ordinal));
        Assert.Matches(@" [1-9][0-9]* crashes", line);
        var saved = Directory.GetFiles(Path.Combine(crashes, "selftest"), "crash-*");
        Assert.NotEmpty(saved);
        Assert.All(saved, f => Assert.Equal(0xFF, File.ReadAllBytes(f)[0]));
    }

    [Fact]
    public void A_short_run_of_every_parser_finds_no_crash()
    {
        var crashes = Path.Combine(_workspace.Folder, "parser-crashes");
        var (exit, output) = _workspace.Fuzz($"all --seconds 8 --crashes {crashes}");

        Assert.True(exit == 0, $"exit {exit} (a crash is saved under {crashes}; copy it to tests/fuzz/crashes and fix it):\n{output}");
        foreach (var target in FuzzTargets.All)
        {
            var line = Assert.Single(output.Split('\n'), l => l.StartsWith($"fuzz {target.Name} ", StringComparison.Ordinal));
            var match = Summary().Match(line);
            Assert.True(match.Success, line);
            Assert.True(long.Parse(match.Groups["execs"].Value, System.Globalization.CultureInfo.InvariantCulture) > 100, line);
            Assert.True(int.Parse(match.Groups["edges"].Value, System.Globalization.CultureInfo.InvariantCulture) > 50, $"the parser's branches are not instrumented: {line}");
        }
    }

    [GeneratedRegex(@"^fuzz \S+ +(?<execs>\d+) execs in .* (?<edges>\d+) of \d+ edges")]
    private static partial Regex Summary();

    /// <summary>A private artifacts folder for the class (one publish and instrumentation for both tests).</summary>
    public sealed class Workspace : IDisposable
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("broker-fuzz-test-").FullName;

        public (int Exit, string Output) Fuzz(string arguments)
        {
            var start = new ProcessStartInfo("bash", $"scripts/fuzz {arguments}")
            {
                WorkingDirectory = Repository.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["BROKER_FUZZ_OUT"] = Path.Combine(Folder, "out");
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(6)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"scripts/fuzz {arguments} did not finish in 6 minutes");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }
}
