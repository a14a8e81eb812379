// The alerts of a folder annotated as the broker annotates them (the engine with the given models, no Kafka): what
// `broker filter test` and `broker bench filters` evaluate filters on.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Engine;
using Broker.Engine.Annotation;

namespace Broker.Cli.Commands.Filters;

internal sealed record AnnotatedAlert(string Path, Alert Alert, AlertAnnotation Annotation);

internal static class FolderAnnotations
{
    /// <summary>Decodes every alert file of <paramref name="folder"/> (in path order) and annotates each alert.</summary>
    /// <param name="cnn">CNN model directory, or null for none.</param>
    public static async Task<(List<AnnotatedAlert> Alerts, int UndecodableFiles)> LoadAsync(string folder, string? schemaDir, string rb, string? cnn, CancellationToken cancel)
    {
        var schemas = schemaDir is null ? null : new Broker.Avro.Framing.LocalSchemaDirectory(schemaDir);
        await using var engine = AlertEngine.Create(new EngineOptions { RbModel = rb, CnnModel = cnn, AlertSchemas = schemas, OutputSchemaDirectory = Path.GetTempPath() });
        var decoder = new AlertDecoder(schemas);
        var annotated = new List<AnnotatedAlert>();
        var undecodable = 0;
        foreach (var (item, decoded) in Broker.Archive.AlertSources.Open([folder]).Alerts(decoder))
        {
            var path = item.Path;
            if (item.Message is null)
            {
                undecodable++;
                continue;
            }

            foreach (var alert in decoded)
            {
                annotated.Add(new AnnotatedAlert(path, alert, await engine.AnnotateAsync(alert, new SourcePosition(path, 0, 0), cancel).ConfigureAwait(false)));
            }
        }

        return (annotated, undecodable);
    }
}
