// `broker simulate`: writes a generated labeled set as alert files (one Avro container file per alert, as ZTF
// publishes) plus labels.csv (file, alert_id, label, family, target_snr, scene_alert_id), for any other tool,
// `broker inspect`, or replay into Kafka.
using System.CommandLine;
using System.Globalization;
using System.Text;
using Broker.Alerts.Decoding;
using Broker.Avro.Framing;
using Broker.Cli.Commands.RealBogus;
using Broker.Cli.Hosting;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Commands;

internal static class SimulateCommand
{
    public static Command Create()
    {
        var scenes = new Option<string[]>("--scenes") { Description = $"Alert files or folders for scenes (default {RealBogusCommands.DefaultScenes}).", AllowMultipleArgumentsPerToken = true };
        var schemaDir = new Option<DirectoryInfo?>("--schema-dir") { Description = "Schemas for Confluent-framed (Rubin) files." };
        var count = new Option<int>("--count") { Description = "Alerts to generate.", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 1 };
        var split = new Option<SceneSplit>("--split") { Description = "Scenes to draw from: Train or HeldOut.", DefaultValueFactory = _ => SceneSplit.HeldOut };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write.", Required = true };
        var command = new Command("simulate", "Generate labeled real/bogus alerts as alert files plus labels.csv.")
        {
            scenes, schemaDir, count, seed, split, output,
        };
        command.SetAction(parse =>
        {
            var schemas = parse.GetValue(schemaDir);
            var decoder = new AlertDecoder(schemas is null ? null : new LocalSchemaDirectory(schemas.FullName));
            var paths = parse.GetValue(scenes) is { Length: > 0 } given ? given : [RepoPaths.Resolve(RealBogusCommands.DefaultScenes)];
            var library = SceneLibrary.Load(paths, decoder);
            var generator = new LabeledSetGenerator(library.Of(parse.GetValue(split)), parse.GetValue(seed));
            var dir = parse.GetValue(output)!;
            dir.Create();
            var labels = new StringBuilder("file,alert_id,label,family,target_snr,scene_alert_id\n");
            var n = parse.GetValue(count);
            for (var i = 0; i < n; i++)
            {
                var alert = generator.Generate(i);
                var name = $"{alert.AlertId}.avro";
                File.WriteAllBytes(Path.Combine(dir.FullName, name), alert.Message);
                labels.Append(CultureInfo.InvariantCulture, $"{name},{alert.AlertId},{(alert.IsReal ? 1 : 0)},{alert.Family.Name()},{alert.TargetSnr:F2},{alert.SceneAlertId}\n");
            }

            File.WriteAllText(Path.Combine(dir.FullName, "labels.csv"), labels.ToString());
            Console.Out.WriteLine($"wrote {n} alerts and labels.csv to {dir.FullName} ({library.Of(parse.GetValue(split)).Count} {parse.GetValue(split)} scenes)");
            return 0;
        });
        return command;
    }
}
