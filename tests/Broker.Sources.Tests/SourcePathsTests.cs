// What paths name: a missing path or an empty glob is one error naming it; globs across folders and partitioned
// datasets (year=/month=/day=) find their files; a folder walk takes alert files and leaves notes and schemas alone.
namespace Broker.Sources.Tests;

public sealed class SourcePathsTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void A_path_that_names_nothing_is_one_error_naming_it()
    {
        var missing = _scratch.Path("no", "such", "night");
        var e = Assert.Throws<SourcePathException>(() => new AlertSource([missing]));
        Assert.Equal($"{missing}: no such file or folder.", e.Message);
        var glob = _scratch.Path("*.parquet");
        Assert.Contains("matches no file", Assert.Throws<SourcePathException>(() => new AlertSource([glob])).Message, StringComparison.Ordinal);
        Assert.Throws<SourcePathException>(() => new AlertSource([Fixtures.RubinKafka], new AlertSourceOptions { SchemaFile = missing }));
    }

    [Fact]
    public void A_partitioned_dataset_and_a_glob_across_folders_find_the_same_files()
    {
        var layouts = Directory.EnumerateFiles(Fixtures.ZtfLayouts, "*.parquet").Order(StringComparer.Ordinal).ToList();
        _scratch.Copy(layouts[0], "dataset", "year=2019", "month=11", "day=04", "part-0.parquet");
        _scratch.Copy(layouts[1], "dataset", "year=2020", "month=01", "day=12", "part-0.parquet");
        File.WriteAllText(_scratch.Path("dataset", "_SUCCESS.txt"), string.Empty);

        var walked = new AlertSource([_scratch.Path("dataset")]);
        var globbed = new AlertSource([_scratch.Path("dataset", "**", "*.parquet")]);
        Assert.Equal(2, walked.Files.Count);
        Assert.Equal(walked.Files, globbed.Files);
        Assert.Equal(20, Fixtures.Decode(walked.Read()).Count);
        Assert.Single(new AlertSource([_scratch.Path("dataset", "year=2019", "*", "*", "*.parquet")]).Files);
    }

    [Fact]
    public void A_folder_walk_takes_alert_files_only()
    {
        Assert.True(SourcePaths.IsAlertFileName("ztf_public_20200101.tar.gz"));
        Assert.True(SourcePaths.IsAlertFileName("part-00000.snappy.parquet"));
        Assert.False(SourcePaths.IsAlertFileName("schema.json"));
        Assert.False(SourcePaths.IsAlertFileName("PROVENANCE.tsv"));
        var files = SourcePaths.Expand([Fixtures.RubinKafka]);
        Assert.Equal(3, files.Count);
        Assert.All(files, f => Assert.EndsWith(".avro", f, StringComparison.Ordinal));
    }
}
