using Broker.Filters;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Filters.Tests;

public sealed class FilterDirectoryTests
{
    [Fact]
    public void Scans_keep_the_last_good_version_and_resolve_duplicate_names_by_path_order()
    {
        var folder = Directory.CreateTempSubdirectory("broker-filterdir-");
        try
        {
            var applied = new List<IReadOnlyList<ExpressionFilter>>();
            using var directory = new FilterDirectory(folder.FullName, set =>
            {
                applied.Add(set);
                return new Dictionary<string, string>(); // refuses nothing
            }, NullLogger.Instance, TimeSpan.FromHours(1));
            string Path(string name) => System.IO.Path.Combine(folder.FullName, name);
            string[] InForce() => [.. applied[^1].Select(f => $"{f.Name}:{f.Compiled.Canonical}")];

            File.WriteAllText(Path("a.filter"), "where: rb > 0.5\n");
            File.WriteAllText(Path("b.filter"), "name: a\nwhere: rb > 0.9\n");
            File.WriteAllText(Path("c.filter"), "where: mag < 18\n");
            File.WriteAllText(Path("notes.txt"), "not a filter");
            directory.Scan();
            Assert.Equal(["a:(rb > 0.5)", "c:(mag < 18)"], InForce());
            var b = directory.Status.Single(s => s.Path.EndsWith("b.filter", StringComparison.Ordinal));
            Assert.False(b.Active);
            Assert.Contains("already defines filter 'a'", b.Error, StringComparison.Ordinal);

            // A scan with nothing changed applies nothing.
            var count = applied.Count;
            directory.Scan();
            Assert.Equal(count, applied.Count);

            // A bad change keeps the previous version; the error names line and column.
            File.WriteAllText(Path("c.filter"), "where: mag <\n");
            directory.Scan();
            Assert.Equal(count, applied.Count);
            var c = directory.Status.Single(s => s.Path.EndsWith("c.filter", StringComparison.Ordinal));
            Assert.True(c.Active);
            Assert.StartsWith("1:13:", c.Error, StringComparison.Ordinal);

            // Removing the first definer of a name lets the next file's definition take over.
            File.Delete(Path("a.filter"));
            directory.Scan();
            Assert.Equal(["a:(rb > 0.9)", "c:(mag < 18)"], InForce());

            // A new file that is bad from the start is not in force at all.
            File.WriteAllText(Path("d.filter"), "where: nonsense > 1\n");
            directory.Scan();
            Assert.Equal(["a:(rb > 0.9)", "c:(mag < 18)"], InForce());
            Assert.False(directory.Status.Single(s => s.Path.EndsWith("d.filter", StringComparison.Ordinal)).Active);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
