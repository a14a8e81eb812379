using System.Text.Json;

namespace Broker.Alerts.Tests;

/// <summary>The real alerts copied into tests/fixtures/alerts (see PROVENANCE.tsv) and their independently decoded values.</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    /// <summary>expected.json, written by tests/fixtures/make_expected.py with python3-avro and astropy.</summary>
    public static JsonElement Expected { get; } = JsonDocument.Parse(File.ReadAllText(PathOf("expected.json"))).RootElement;

    public static IEnumerable<string> ExpectedFiles => Expected.EnumerateObject().Select(p => p.Name);

    public static IEnumerable<string> AllAlertFiles =>
        Directory.EnumerateFiles(Root, "*.avro", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal);
}
