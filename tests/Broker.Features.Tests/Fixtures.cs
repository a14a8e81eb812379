using Broker.Alerts.Decoding;
using Broker.Alerts.Model;

namespace Broker.Features.Tests;

internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts");

    /// <summary>The repository root (where Broker.sln is), for checks against committed docs.</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Broker.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Broker.sln not found above the test directory.");
        }
    }

    /// <summary>Every alert of the fixture files that decode (the corrupt ones are left out).</summary>
    public static IReadOnlyList<(string File, Alert Alert)> Alerts { get; } = Load();

    private static List<(string, Alert)> Load()
    {
        var decoder = new AlertDecoder();
        var list = new List<(string, Alert)>();
        foreach (var file in Directory.EnumerateFiles(Root, "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                foreach (var a in decoder.Decode(File.ReadAllBytes(file)))
                {
                    list.Add((Path.GetRelativePath(Root, file), a));
                }
            }
            catch (AlertDecodeException)
            {
                // Corrupt fixtures and schema-less Confluent frames are covered by the decoding tests.
            }
        }

        return list;
    }
}
