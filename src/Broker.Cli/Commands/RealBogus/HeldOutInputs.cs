// What `broker eval rb` and `broker eval cnn` measure on, resolved one way: the options given, else what the
// model card recorded (schema folder, scene and real-alert folders, held-out seed and count) when those paths exist
// here, else the repo's fixtures. So an eval regenerates exactly the held-out set the model was measured on.
using System.Text.Json.Nodes;
using Broker.Alerts.Decoding;
using Broker.Cli.Hosting;
using Broker.Simulation.Scenes;

namespace Broker.Cli.Commands.RealBogus;

internal sealed record HeldOutInputs(AlertDecoder Decoder, string[] ScenePaths, SceneLibrary Library, int Seed, int Count, string[] RealPaths)
{
    public static HeldOutInputs FromCard(JsonObject training, DirectoryInfo? schemaDir, string[]? scenes, int? seed, int? count, string[]? real)
    {
        var recordedSchemaDir = training["schema_dir"]?.GetValue<string>() is { } sd && Directory.Exists(RepoPaths.Resolve(sd)) ? new DirectoryInfo(RepoPaths.Resolve(sd)) : null;
        var decoder = RealBogusCommands.Decoder(schemaDir ?? recordedSchemaDir);
        var scenePaths = scenes is { Length: > 0 } ? scenes : RealBogusCommands.Recorded(training, "scenes") ?? RealBogusCommands.ScenePaths(null);
        var library = RealBogusCommands.TrainingScenes(scenePaths, decoder);
        var s = seed ?? training["held_out_seed"]?.GetValue<int>() ?? 2;
        var n = count ?? training["held_out_alerts"]?.GetValue<int>() ?? 6000;
        var realPaths = real is { Length: > 0 } ? real : RealBogusCommands.Recorded(training, "real") ?? scenePaths;
        return new HeldOutInputs(decoder, scenePaths, library, s, n, realPaths);
    }
}
