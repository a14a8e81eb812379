// The engine on its own, as replays and the Kafka runner use it: typed decode errors, the object ledger held and
// retried while it fails (reported, never a dead letter), re-deliveries kept from every filter, and its outputs
// read back as the subscribers read them.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro.Decoding;
using Broker.Avro.Framing;
using Broker.Avro.Schema;
using Broker.Engine.Annotation;
using Broker.Engine.Shared;
using Broker.Filters;

namespace Broker.Engine.Tests;

public sealed class AlertEngineTests
{
    private static AlertEngine Engine(IObjectLedger? ledger = null, IEngineHealth? health = null) => AlertEngine.Create(
        new EngineOptions { RbModel = TestData.RbModel, CnnModel = TestData.CnnModel, OutputSchemaDirectory = Path.GetTempPath() },
        new EngineServices { Objects = ledger, Health = health });

    [Fact]
    public async Task Bytes_that_are_not_an_alert_give_a_typed_error_naming_the_stage()
    {
        await using var engine = Engine();
        Assert.Equal(DecodeStage.Envelope, Assert.Throws<AlertDecodeException>(() => engine.Decode(null)).Stage);
        Assert.Throws<AlertDecodeException>(() => engine.Decode([0x4f, 0x62, 0x6a, 0x01, 0x00]));
        Assert.Throws<AlertDecodeException>(() => engine.Decode([0x00, 0x00, 0x00, 0x00, 0x07, 0x02]));
    }

    [Fact]
    public async Task A_failing_object_ledger_holds_the_alert_and_says_so_once_per_outage_until_it_answers()
    {
        var ledger = new FlakyLedger(failures: 2);
        var health = new RecordedHealth();
        await using var engine = Engine(ledger, health);
        var alert = engine.Decode(TestData.Generated(1)[0])[0];

        var routed = await engine.ProcessAsync(alert, new SourcePosition("t", 0, 0), 0, CancellationToken.None);

        Assert.Equal(3, ledger.Visits);
        Assert.NotNull(routed.Annotation.Object);
        Assert.Equal(7, routed.Annotation.Object!.Alerts);
        Assert.Equal(["failing objects first", "failing objects", "recovered objects"], health.Events);
    }

    [Fact]
    public async Task A_redelivered_alert_matches_no_filter_while_a_new_one_matches_every_filter_it_passes()
    {
        var ledger = new FlakyLedger(failures: 0);
        await using var engine = Engine(ledger);
        engine.Filters.Replace([new FilterDefinition { Name = "all", Where = "rb >= 0" }.Compile(), new FilterDefinition { Name = "none", Where = "rb > 1" }.Compile()]);
        var alert = engine.Decode(TestData.Generated(1, start: 3)[0])[0];

        var first = await engine.ProcessAsync(alert, new SourcePosition("t", 0, 0), 0, CancellationToken.None);
        Assert.Equal(["all"], first.Matched.Select(f => f.Name));
        Assert.Equal(["all"], first.Annotation.Filters);

        ledger.Redelivered = true;
        var again = await engine.ProcessAsync(alert, new SourcePosition("t", 0, 1), 0, CancellationToken.None);
        Assert.True(again.Annotation.Redelivered);
        Assert.Empty(again.Matched);
        Assert.Empty(again.Annotation.Filters);
    }

    [Fact]
    public async Task The_light_payload_reads_back_with_the_scores_the_engine_gave()
    {
        await using var engine = Engine();
        var alert = engine.Decode(TestData.Generated(1, start: 5)[0])[0];
        var routed = await engine.ProcessAsync(alert, new SourcePosition("t", 2, 9), 1234, CancellationToken.None);

        var bytes = engine.Encode(Payload.Light, alert, routed.Annotation, 5678);

        var schema = AvroSchema.Parse(File.ReadAllText(Path.Combine(TestData.Root, "schemas", AnnotationSchema.LightFile)));
        var record = DecodePlan.For(schema).ReadExact(bytes.AsMemory(ConfluentFrame.HeaderSize)).AsRecord();
        var recorded = AnnotationReader.Read(record["broker"].AsRecord());
        Assert.Equal(alert.AlertId, record["alert_id"].AsLong());
        Assert.Equal(routed.Annotation.Rb, recorded.Annotation.Rb);
        Assert.NotNull(recorded.Annotation.RbCombined);
        Assert.Equal(routed.Annotation.RbCombined, recorded.Annotation.RbCombined);
        Assert.Equal(engine.RbModelId, recorded.Annotation.RbModel);
        Assert.Equal(new SourcePosition("t", 2, 9), recorded.Annotation.Source);
        Assert.Equal(5678, recorded.PublishTimeMs);
    }

    [Fact]
    public async Task Warming_up_scores_and_encodes_but_asks_no_ledger_and_teaches_no_novelty_model()
    {
        var ledger = new FlakyLedger(failures: 0);
        var novelty = new CountingNovelty();
        await using var engine = AlertEngine.Create(
            new EngineOptions { RbModel = TestData.RbModel, CnnModel = TestData.CnnModel, OutputSchemaDirectory = Path.GetTempPath(), NoveltyLearnMinReal = 0 },
            new EngineServices { Objects = ledger, Novelty = novelty });
        var messages = TestData.Generated(2);

        Assert.Equal(6, await engine.WarmUpAsync(messages, repeats: 3, CancellationToken.None));
        Assert.Equal(0, ledger.Visits);
        Assert.Equal(0, novelty.Learned);

        // The same alert scored live does both: the warm-up is what differs, not the engine.
        await engine.ProcessAsync(engine.Decode(messages[0])[0], new SourcePosition("t", 0, 0), 0, CancellationToken.None);
        Assert.Equal(1, ledger.Visits);
        Assert.Equal(1, novelty.Learned);
    }

    private sealed class CountingNovelty : INoveltyModels
    {
        private int _learned;

        public int Learned => _learned;

        public Broker.Novelty.Snapshots.NoveltySnapshot? Current(Survey survey) => null;

        public void Learn(Survey survey, float[] features) => Interlocked.Increment(ref _learned);
    }

    private sealed class FlakyLedger(int failures) : IObjectLedger
    {
        private int _failures = failures;

        public int Visits { get; private set; }

        public bool Redelivered { get; set; }

        public ValueTask<ObjectVisit> VisitAsync(Alert alert, CancellationToken cancel)
        {
            Visits++;
            return _failures-- > 0
                ? ValueTask.FromException<ObjectVisit>(new TimeoutException("storage does not answer"))
                : ValueTask.FromResult(new ObjectVisit(new ObjectHistory(7, 7, 1, 2, 1, 18, 0, 1, 0.5f, 0), Redelivered));
        }

        public ValueTask PublishedAsync(Alert alert, CancellationToken cancel) => ValueTask.CompletedTask;
    }

    private sealed class RecordedHealth : IEngineHealth
    {
        public List<string> Events { get; } = [];

        public void Failing(string component, string reason, Exception error, bool first) => Events.Add($"failing {component}{(first ? " first" : string.Empty)}");

        public void Recovered(string component) => Events.Add($"recovered {component}");
    }
}
