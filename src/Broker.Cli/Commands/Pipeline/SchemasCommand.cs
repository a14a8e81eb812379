// `broker schemas [--out DIR]`: the Avro schemas of the broker's outputs (generated from the feature catalog;
// schemas/ in the repository holds the same text, and a test keeps them equal).
using System.CommandLine;
using Broker.Engine.Annotation;

namespace Broker.Cli.Commands.Pipeline;

internal static class SchemasCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo?>("--out") { Description = "Write the .avsc files to this folder instead of printing the annotation schema." };
        var command = new Command("schemas", "Print or write the Avro schemas of the broker's output records.") { output };
        command.SetAction(parse =>
        {
            if (parse.GetValue(output) is not { } dir)
            {
                Console.Out.Write(AnnotationSchema.AnnotationJson);
                return 0;
            }

            dir.Create();
            File.WriteAllText(Path.Combine(dir.FullName, AnnotationSchema.AnnotationFile), AnnotationSchema.AnnotationJson);
            File.WriteAllText(Path.Combine(dir.FullName, AnnotationSchema.LightFile), AnnotationSchema.LightJson);
            Console.Out.WriteLine($"wrote {AnnotationSchema.AnnotationFile} and {AnnotationSchema.LightFile} to {dir.FullName}");
            return 0;
        });
        return command;
    }
}
