// Turns command-line paths into alert files: a folder means every *.avro below it, in a stable order.
namespace Broker.Cli.Commands;

internal static class AlertFiles
{
    public static IEnumerable<string> Expand(IEnumerable<string> inputs)
    {
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                foreach (var f in Directory.EnumerateFiles(input, "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    yield return f;
                }
            }
            else
            {
                yield return input;
            }
        }
    }
}
