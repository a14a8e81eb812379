// What the archive tests share: the shipped models through the engine (no Kafka), a stream of generated ZTF alerts
// long enough for the novelty forests to start (300 > the 256-alert warm-up), and a temporary archive folder.
using Broker.Alerts.Decoding;
using Broker.Archive.Replay;
using Broker.Engine;
using Broker.Filters;
using Broker.Pipeline;
using Broker.Pipeline.Configuration;
using Broker.Simulation.Generation;
using Broker.Simulation.Scenes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Archive.Tests;

internal static class ArchiveFixture
{
    public static string Root => AppContext.BaseDirectory;

    public static string FinkExport => Path.Combine(Root, "fixtures", "fink_parquet");

    private static readonly Lazy<IReadOnlyList<byte[]>> Stream = new(() =>
    {
        var library = SceneLibrary.Load([Path.Combine(Root, "fixtures", "alerts")], new AlertDecoder());
        return [.. new LabeledSetGenerator([.. library.Train, .. library.HeldOut], 7).Generate(0, 300).Select(a => a.Message)];
    });

    /// <summary>300 generated ZTF alert messages (the same every run).</summary>
    public static IReadOnlyList<byte[]> Alerts => Stream.Value;

    public static PipelineOptions Options() => new()
    {
        Kafka = new KafkaOptions { BootstrapServers = "127.0.0.1:9", InputTopics = ["unused"] },
        Schemas = new SchemaOptions { OutputDirectory = Path.GetTempPath() },
        Models = new ModelOptions { Rb = Path.Combine(Root, "models", "rb"), Cnn = Path.Combine(Root, "models", "cnn-int8") },

        // Learn from every alert: 300 generated alerts (half real) must give snapshots for the archive to keep.
        Processing = new ProcessingOptions { NoveltyLearnMinReal = 0 },
        Filters = [new FilterDefinition { Name = "real", Where = "rb >= 0.5" }, new FilterDefinition { Name = "novel", Where = "novelty >= 0.55" }],
    };

    public static AlertEngine Engine() => ConfiguredEngine.Create(Options());

    public static NightArchive Archive(string root, string writer = "test") =>
        new(new ArchiveOptions { Directory = root, Writer = writer, Codec = "deflate" }, NullLogger.Instance);

    /// <summary>Scores <paramref name="items"/> into a new archive at <paramref name="root"/>; returns what was annotated.</summary>
    public static async Task<List<ReplayedAlert>> ScoreIntoAsync(string root, IEnumerable<ReplayItem> items, ScoredReplayOptions? options = null)
    {
        var annotated = new List<ReplayedAlert>();
        await using var engine = Engine();
        await using (var archive = Archive(root))
        {
            archive.Filters = engine.Filters;
            await ScoredReplay.RunAsync(engine, items, archive, options ?? new ScoredReplayOptions(), annotated.Add, null, CancellationToken.None);
        }

        return annotated;
    }
}
