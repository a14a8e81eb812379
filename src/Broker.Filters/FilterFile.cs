// Reads a filter file (*.filter). A few `key: value` lines, then `where:` and the condition, which runs to the end
// of the file and may span lines. `#` starts a comment. The name defaults to the file name.
//
//     # Likely-real transients first seen within three days
//     description: young, likely real, positive
//     owner: follow-up@example.org
//     payload: light            # or full (the default)
//     topic: young.real         # optional; default <prefix>.filtered.<name>
//     where: rb_combined >= 0.9 and positive
//        and age_days < 3
//
// Every error carries the file's line and column.
using Broker.Engine.Annotation;
using Broker.Filters.Language;

namespace Broker.Filters;

public static class FilterFile
{
    public const string Extension = ".filter";

    /// <summary>Every filter file of <paramref name="folder"/>, in file-name order (a file that does not compile throws).</summary>
    public static IReadOnlyList<ExpressionFilter> LoadFolder(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*" + Extension).Order(StringComparer.Ordinal).Select(Load)];

    public static ExpressionFilter Load(string path) => Compile(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path));

    /// <summary>Parses and compiles; throws <see cref="FilterException"/> (with position) or <see cref="FilterDefinitionException"/>.</summary>
    public static ExpressionFilter Compile(string text, string defaultName)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? name = null, description = null, owner = null, topic = null;
        var payload = Payload.Full;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var content = StripComment(line).Trim();
            if (content.Length == 0)
            {
                continue;
            }

            var colon = content.IndexOf(':', StringComparison.Ordinal);
            var column = line.Length - line.TrimStart().Length + 1;
            if (colon <= 0)
            {
                throw new FilterSyntaxException(new TextPosition(i + 1, column), "expected 'key: value' (name, description, owner, topic, payload) or 'where:'");
            }

            var key = content[..colon].Trim().ToLowerInvariant();
            var value = content[(colon + 1)..].Trim();
            switch (key)
            {
                case "where":
                    // The condition starts right after "where:" in the raw line (comments are the lexer's job).
                    var start = line.IndexOf(':', StringComparison.Ordinal) + 1;
                    var where = line[start..] + "\n" + string.Join('\n', lines[(i + 1)..]);
                    var definition = new FilterDefinition
                    {
                        Name = name ?? defaultName,
                        Where = where,
                        Description = description,
                        Owner = owner,
                        Topic = topic,
                        Payload = payload,
                        WhereAt = new TextPosition(i + 1, start + 1),
                    };
                    return definition.Compile();
                case "name":
                    name = value;
                    break;
                case "description":
                    description = value;
                    break;
                case "owner":
                    owner = value;
                    break;
                case "topic":
                    topic = value;
                    break;
                case "payload":
                    payload = value.ToLowerInvariant() switch
                    {
                        "full" => Payload.Full,
                        "light" => Payload.Light,
                        _ => throw new FilterSyntaxException(new TextPosition(i + 1, line.IndexOf(':', StringComparison.Ordinal) + 2), $"payload is 'full' or 'light', not '{value}'"),
                    };
                    break;
                default:
                    throw new FilterSyntaxException(new TextPosition(i + 1, column), $"unknown key '{key}' (name, description, owner, topic, payload, where)");
            }
        }

        throw new FilterSyntaxException(new TextPosition(lines.Length, 1), "the file has no 'where:' condition");
    }

    private static string StripComment(string line)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? line : line[..hash];
    }
}
