// Where the repository is, seen from a test's output folder (the saved fuzzing inputs and scripts/fuzz live there).
namespace Broker.Fuzzing.Tests;

internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Broker.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Broker.sln not found above the test directory.");
    }
}
