// Novelty learns what is normal from likely-real alerts only (processing.novelty_learn_min_real): the survey's
// learner sees exactly the alerts the broker judged at least that likely real, while every alert is scored.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Engine;
using Broker.Engine.Annotation;
using Broker.Engine.Scoring;
using Broker.Engine.Shared;
using Broker.Pipeline.Configuration;

namespace Broker.Pipeline.Tests;

public sealed class NoveltyLearningGateTests
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public async Task The_models_learn_only_from_alerts_at_least_as_likely_real_as_the_setting(double minReal)
    {
        var options = new PipelineOptions
        {
            Kafka = new KafkaOptions { BootstrapServers = "127.0.0.1:9", InputTopics = ["unused"] },
            Schemas = new SchemaOptions { OutputDirectory = Path.GetTempPath() },
            Models = new ModelOptions { Rb = TestData.RbModel, Cnn = TestData.CnnModel },
            Processing = new ProcessingOptions { NoveltyLearnMinReal = minReal },
        };
        await using var engine = ConfiguredEngine.Create(options);
        var decoder = new AlertDecoder();
        var annotations = new List<(Survey Survey, AlertAnnotation Annotation)>();
        foreach (var message in TestData.Generated(80))
        {
            foreach (var alert in decoder.Decode(message))
            {
                annotations.Add((alert.Survey, await engine.AnnotateAsync(alert, new SourcePosition("test", 0, 0), CancellationToken.None)));
            }
        }

        var models = Assert.IsType<LocalNoveltyModels>(engine.Novelty);
        foreach (var survey in Enum.GetValues<Survey>())
        {
            var teaching = annotations.Count(a => a.Survey == survey && AlertScorer.RealScore(a.Annotation) >= minReal);
            Assert.Equal(teaching, models[survey].Updates);
        }

        var total = annotations.Count;
        var taught = Enum.GetValues<Survey>().Sum(s => models[s].Updates);
        Assert.True(minReal == 0 ? taught == total : taught < total && taught > 0, $"{taught} of {total} learned at {minReal}");
    }
}
