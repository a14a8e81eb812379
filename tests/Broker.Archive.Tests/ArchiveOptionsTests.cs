// The archive owns its settings: each out-of-range value is named (and the configuration file's loader reports it
// with the file's name), relative directories are taken from the configuration file's folder, unknown keys refused.
using Broker.Pipeline.Configuration;

namespace Broker.Archive.Tests;

public sealed class ArchiveOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_each_bad_setting_is_named()
    {
        Assert.Null(new ArchiveOptions().Problem());
        Assert.Equal("archive.min_free_mib must be 0 or more.", new ArchiveOptions { MinFreeMib = -1 }.Problem());
        Assert.StartsWith("archive.part_mib is 1..4096", new ArchiveOptions { PartMib = 0 }.Problem(), StringComparison.Ordinal);
        Assert.StartsWith("archive.part_mib is 1..4096", new ArchiveOptions { FlushMs = 20_000 }.Problem(), StringComparison.Ordinal);
        Assert.Equal("archive.codec is deflate, snappy or null.", new ArchiveOptions { Codec = "zstd" }.Problem());
        Assert.Equal("archive.writer is letters, digits, '-', '_' and '.'.", new ArchiveOptions { Writer = "a/b" }.Problem());
        Assert.Null(new ArchiveOptions { Writer = "silo-a_1.b", Codec = "snappy" }.Problem());
    }

    [Fact]
    public void A_relative_directory_is_taken_from_the_configuration_files_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "config-folder");
        Assert.Equal(Path.Combine(folder, "nights"), new ArchiveOptions { Directory = "nights" }.ResolvePaths(folder).Directory);
        Assert.Equal("/srv/nights", new ArchiveOptions { Directory = "/srv/nights" }.ResolvePaths(folder).Directory);
        Assert.Null(new ArchiveOptions().ResolvePaths(folder).Directory);
    }

    [Fact]
    public void The_configuration_file_reports_the_archives_problem_and_refuses_unknown_archive_keys()
    {
        var file = Path.Combine(Path.GetTempPath(), $"broker-archive-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(file, """{ "kafka": { "input_topics": ["in"] }, "archive": { "directory": "nights", "codec": "zstd" } }""");
            var bad = Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load(file));
            Assert.Equal($"{file}: archive.codec is deflate, snappy or null.", bad.Message);

            File.WriteAllText(file, """{ "kafka": { "input_topics": ["in"] }, "archive": { "directory": "nights", "codecs": "deflate" } }""");
            Assert.Contains("codecs", Assert.Throws<PipelineConfigException>(() => PipelineOptions.Load(file)).Message, StringComparison.Ordinal);

            File.WriteAllText(file, """{ "kafka": { "input_topics": ["in"] }, "archive": { "directory": "nights" } }""");
            Assert.Equal(Path.Combine(Path.GetTempPath(), "nights"), PipelineOptions.Load(file).Archive.Directory);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
