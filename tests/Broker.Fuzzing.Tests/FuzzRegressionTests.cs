// Every seed and every input the fuzzer ever saved (tests/fuzz/corpus, tests/fuzz/crashes) runs through its target
// here, uninstrumented: a crash found once stays fixed. Also checks the targets' contracts catch what they should.
using Broker.Fuzzing;

namespace Broker.Fuzzing.Tests;

public sealed class FuzzRegressionTests
{
    public static TheoryData<string, string> SavedInputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in new[] { "corpus", "crashes" })
        {
            var root = Path.Combine(Repository.Root, "tests", "fuzz", folder);
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var targetFolder in Directory.GetDirectories(root))
            {
                foreach (var file in Directory.GetFiles(targetFolder))
                {
                    data.Add(Path.GetFileName(targetFolder), Path.GetRelativePath(Repository.Root, file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SavedInputs))]
    public void A_saved_input_keeps_its_targets_contract(string target, string file)
    {
        var run = FuzzTargets.Named(target);
        var input = File.ReadAllBytes(Path.Combine(Repository.Root, file));
        if (target == FuzzTargets.SelfTest.Name)
        {
            // The self-test target breaks on 0xFF by design; its saved inputs must do so, the seed must not.
            var breaks = input.Length > 0 && input[0] == 0xFF;
            var thrown = Record.Exception(() => run.Run(input));
            Assert.Equal(breaks, thrown is FuzzContractException);
            return;
        }

        run.Run(input);
    }

    [Fact]
    public void Every_target_has_seeds_and_the_seeds_reach_their_parser()
    {
        foreach (var target in FuzzTargets.All)
        {
            var folder = Path.Combine(Repository.Root, "tests", "fuzz", "corpus", target.Name);
            Assert.True(Directory.GetFiles(folder).Length > 0, $"no seeds for {target.Name}");
        }
    }

    [Fact]
    public void A_truncated_alert_is_a_typed_error_not_a_crash()
    {
        // The target swallows only the typed errors: cutting a real alert anywhere must stay within them.
        var alert = File.ReadAllBytes(Path.Combine(Repository.Root, "tests", "fuzz", "corpus", "alert", "522193343315015001.avro"));
        var target = FuzzTargets.Named("alert");
        for (var length = 0; length < alert.Length; length += 997)
        {
            target.Run(alert[..length]);
        }
    }

    [Theory]
    [InlineData("crash-441adff91870b4d8", "Couldn't deserialize thrift")]
    [InlineData("crash-3654c05cf86b840f", "truncated PLAIN-encoded BYTE_ARRAY")]
    [InlineData("crash-7f726c9c41ab599d", "Invalid column metadata")]
    public void A_corrupt_parquet_file_is_a_problem_item_with_the_readers_reason(string file, string reason)
    {
        // Found by the source target: Arrow's reader failing past the footer used to escape as an exception.
        var path = Path.Combine(Repository.Root, "tests", "fuzz", "crashes", "source", file);
        var copy = Path.Combine(Directory.CreateTempSubdirectory("broker-fuzz-").FullName, "corrupt.parquet");
        File.Copy(path, copy);
        var items = new Broker.Sources.AlertSource([copy]).Read().ToList();

        var problem = Assert.Single(items, i => i.IsProblem);
        Assert.Same(problem, items[^1]);
        Assert.Contains("cannot be read", problem.Problem, StringComparison.Ordinal);
        Assert.Contains(reason, problem.Problem, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
    }

    [Fact]
    public void An_unknown_target_names_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => FuzzTargets.Named("nope"));
        Assert.Contains("alert, schema, fits, source, filter, config", e.Message, StringComparison.Ordinal);
    }
}
