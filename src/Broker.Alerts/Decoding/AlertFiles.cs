// Turns paths into alert files: a folder means every *.avro below it, in a stable (ordinal) order; a file is
// itself. Shared by every command and loader that reads alert files.
namespace Broker.Alerts.Decoding;

public static class AlertFiles
{
    public static IEnumerable<string> Expand(IEnumerable<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
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
