// Default locations of shipped files (models/, fixtures): relative to the working directory when they exist
// there, else relative to the repository the running broker was built from.
namespace Broker.Cli.Hosting;

internal static class RepoPaths
{
    public static string Resolve(string relative)
    {
        if (Path.IsPathRooted(relative) || Directory.Exists(relative) || File.Exists(relative))
        {
            return relative;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Broker.sln")))
            {
                var candidate = Path.Combine(dir.FullName, relative);
                return Directory.Exists(candidate) || File.Exists(candidate) ? candidate : relative;
            }

            dir = dir.Parent;
        }

        return relative;
    }
}
