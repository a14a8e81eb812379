// Paths of the real alerts the tests read (tests/fixtures, each folder with its PROVENANCE.tsv) and a scratch folder.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;

namespace Broker.Sources.Tests;

internal static class Fixtures
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    public static string ZtfLayouts => Path("ztf_parquet", "layouts");

    public static string ZtfPairs => Path("ztf_parquet", "pairs");

    public static string RubinKafka => Path("rubin_kafka_v9");

    public static string FinkExport => Path("fink_parquet");

    /// <summary>Every alert of the items; fails the test on a problem item.</summary>
    public static List<(SourceItem Item, Alert Alert)> Decode(IEnumerable<SourceItem> items)
    {
        var decoder = new AlertDecoder();
        var alerts = new List<(SourceItem, Alert)>();
        foreach (var item in items)
        {
            Assert.True(item.Message is not null, $"{item.Path} ({item.Name}): {item.Problem}");
            alerts.AddRange(decoder.Decode(item.Message!).Select(a => (item, a)));
        }

        return alerts;
    }
}

/// <summary>A temporary folder, deleted with the test.</summary>
public sealed class ScratchFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("broker-sources-").FullName;

    public string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public string Copy(string file, params string[] to)
    {
        var target = Path(to);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.Copy(file, target);
        return target;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
