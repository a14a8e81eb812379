// Turns the paths a user typed into the files to read: a file is itself; a folder is every alert-bearing file
// below it (partitioned datasets such as year=/month=/day= are folders too); a glob (*, ?, ** across folders)
// is the files it matches. Order is ordinal by path, so a run reads the same files in the same order everywhere.
// A path that does not exist, or a glob that matches nothing, is a SourcePathException naming it.
using System.Text;
using System.Text.RegularExpressions;

namespace Broker.Sources;

public static class SourcePaths
{
    /// <summary>The file names a folder walk picks up; everything else (schemas, notes, tables) is not an alert file.</summary>
    public static bool IsAlertFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = fileName.ToLowerInvariant();
        return name.EndsWith(".avro", StringComparison.Ordinal) || name.EndsWith(".parquet", StringComparison.Ordinal)
            || name.EndsWith(".tar", StringComparison.Ordinal) || name.EndsWith(".tar.gz", StringComparison.Ordinal)
            || name.EndsWith(".tgz", StringComparison.Ordinal) || name.EndsWith(".bin", StringComparison.Ordinal);
    }

    /// <summary>Every file the inputs name, in a stable order; throws <see cref="SourcePathException"/> for a path that names nothing.</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                files.AddRange(Walk(input));
            }
            else if (File.Exists(input))
            {
                files.Add(input);
            }
            else if (input.IndexOfAny(['*', '?']) >= 0)
            {
                var matched = Glob(input);
                if (matched.Count == 0)
                {
                    throw new SourcePathException($"{input}: the pattern matches no file.");
                }

                files.AddRange(matched);
            }
            else
            {
                throw new SourcePathException($"{input}: no such file or folder.");
            }
        }

        return files;
    }

    private static IEnumerable<string> Walk(string folder)
    {
        try
        {
            return [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => IsAlertFileName(Path.GetFileName(f)))
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new SourcePathException($"{folder}: cannot be read ({e.Message}).", e);
        }
    }

    // The folder before the first wildcard is walked; the rest of the pattern is matched against each file's path
    // relative to it ('*' and '?' within a name, '**' across folders).
    private static List<string> Glob(string pattern)
    {
        var normalized = pattern.Replace('\\', '/');
        var parts = normalized.Split('/');
        var fixedCount = Array.FindIndex(parts, p => p.IndexOfAny(['*', '?']) >= 0);
        var root = string.Join('/', parts[..fixedCount]);
        root = root.Length == 0 ? (normalized.StartsWith('/') ? "/" : ".") : root;
        if (!Directory.Exists(root))
        {
            return [];
        }

        var regex = new Regex("^" + ToRegex(string.Join('/', parts[fixedCount..])) + "$", RegexOptions.CultureInvariant);
        return [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => regex.IsMatch(Path.GetRelativePath(root, f).Replace('\\', '/')))
            .Order(StringComparer.Ordinal)];
    }

    private static string ToRegex(string glob)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                // "**/" matches any number of folders, including none.
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                sb.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                sb.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return sb.ToString();
    }
}
