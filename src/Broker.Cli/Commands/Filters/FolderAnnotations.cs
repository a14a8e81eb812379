// The alerts of a folder annotated as the pipeline annotates them (its scorer and models, loaded through
// BrokerPipeline, no Kafka): what `broker filter test` and `broker bench filters` evaluate filters on.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Cli.Commands.Filters;

internal sealed record AnnotatedAlert(string Path, Alert Alert, AlertAnnotation Annotation);

internal static class FolderAnnotations
{
    /// <summary>Decodes every alert file of <paramref name="folder"/> (in path order) and annotates each alert.</summary>
    /// <param name="cnn">CNN model directory, or null for none.</param>
    public static async Task<(List<AnnotatedAlert> Alerts, int UndecodableFiles)> LoadAsync(string folder, string? schemaDir, string rb, string? cnn, CancellationToken cancel)
    {
        var options = new PipelineOptions
        {
            Kafka = new KafkaOptions { BootstrapServers = "127.0.0.1:9", InputTopics = ["unused"] },
            Schemas = new SchemaOptions { Directory = schemaDir, OutputDirectory = Path.GetTempPath() },
            Models = new ModelOptions { Rb = rb, Cnn = cnn },
        };
        await using var pipeline = BrokerPipeline.Create(options, NullLogger.Instance);
        var decoder = new AlertDecoder(schemaDir is null ? null : new Broker.Avro.Framing.LocalSchemaDirectory(schemaDir));
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
                annotated.Add(new AnnotatedAlert(path, alert, await pipeline.AnnotateAsync(alert, new SourcePosition(path, 0, 0), cancel).ConfigureAwait(false)));
            }
        }

        return (annotated, undecodable);
    }
}
