// The broker's output read back as a subscriber reads it: light and full payloads of real ZTF and Rubin alerts,
// written by the pipeline's own OutputFormat, give the alert's identity, photometry and annotation (and, full, the
// alert with its cutouts); a frame of another schema without the schema folder, or bytes that are not broker output,
// are typed errors that say why. Saved alerts are standard Avro files with PNG cutouts and a JSON line each.
using System.Buffers;
using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro.Container;
using Broker.Engine.Annotation;
using Broker.Features.Catalog;

namespace Broker.Subscribers.Tests;

public sealed class OutputMessageReaderTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("broker-subscribers-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static Alert Fixture(string relative) =>
        new AlertDecoder().Decode(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts", relative)))[0];

    private static AlertAnnotation Annotation() => new()
    {
        Source = new SourcePosition("ztf.alerts", 3, 12345),
        Features = [.. Enumerable.Range(0, FeatureCatalog.Count).Select(i => i * 0.5f)],
        Rb = 0.875f,
        RbModel = "rb-test",
        Cnn = 0.25f,
        CnnModel = "cnn-test",
        RbCombined = 0.5f,
        Novelty = new NoveltyAnnotation(0.71f, "history", [new("photometry", 0.5f), new("history", 0.71f)], [new("lc_color", 0.5f), new("lc_nbands", 0.25f)], "nov-1"),
        Filters = ["likely_real", "novel"],
        IngestTimeMs = 1_700_000_000_000,
    };

    private static byte[] Output(Payload payload, Alert alert) => new OutputFormat().Encode(payload, alert, Annotation(), 1_700_000_000_500);

    [Theory]
    [InlineData("ztf/kowalski_20231012/2475433850015010009.avro", "ztf")]
    [InlineData("rubin/ocf_v9_0/sample_v9.avro", "rubin")]
    public void Light_and_full_payloads_give_the_alert_and_its_annotation(string fixture, string survey)
    {
        var alert = Fixture(fixture);
        var reader = new OutputMessageReader();
        foreach (var payload in new[] { Payload.Light, Payload.Full })
        {
            var received = reader.Read(Output(payload, alert), "t", 2, 40);
            Assert.Equal((payload, survey, alert.AlertId, alert.ObjectId, alert.Band), (received.Payload, received.Survey, received.AlertId, received.ObjectId, received.Band));
            Assert.Equal((alert.Mjd, alert.Mag, alert.Ra), (received.Mjd, received.Mag, received.Ra));
            Assert.Equal(("t", 2, 40L), (received.Topic, received.Partition, received.Offset));
            Assert.Equal((0.875f, 0.25f, 0.5f), (received.Annotation.Rb, received.Annotation.Cnn, received.Annotation.RbCombined));
            Assert.Equal(["likely_real", "novel"], received.Annotation.Filters);
            Assert.Equal("history", received.Annotation.Novelty!.Subspace);
            if (payload == Payload.Full)
            {
                Assert.Equal(alert.Difference.Image!.Pixels.ToArray(), received.Alert!.Difference.Image!.Pixels.ToArray());
            }
            else
            {
                Assert.Null(received.Alert);
            }
        }
    }

    [Fact]
    public void What_is_not_broker_output_is_a_typed_error_that_says_why()
    {
        var reader = new OutputMessageReader();
        var survey = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts", "ztf", "kowalski_20231012", "2475433850015010009.avro"));
        Assert.Contains("'broker'", Assert.Throws<OutputMessageException>(() => reader.Read(survey, "in", 0, 7)).Message, StringComparison.Ordinal);
        Assert.Contains("neither an Avro container file nor a Confluent frame", Assert.Throws<OutputMessageException>(() => reader.Read("hello"u8.ToArray())).Message, StringComparison.Ordinal);

        // A full Rubin frame (schema id 1,000,704) without the broker's schema folder.
        byte[] frame = [0, 0x00, 0x0F, 0x44, 0xC0, 1, 2, 3];
        var e = Assert.Throws<OutputMessageException>(() => reader.Read(frame, "t", 1, 2));
        Assert.StartsWith("t [1] @2: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("--schema-dir", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Saved_alerts_are_avro_files_with_png_cutouts_and_a_json_line()
    {
        var alert = Fixture("ztf/kowalski_20231012/2475433850015010009.avro");
        var reader = new OutputMessageReader();
        using (var saved = new SavedAlerts(_dir.FullName))
        {
            saved.Save(reader.Read(Output(Payload.Full, alert), "full", 0, 1));
            saved.Save(reader.Read(Output(Payload.Light, alert), "light", 0, 1) with { AlertId = alert.AlertId + 1 });
        }

        var folder = Path.Combine(_dir.FullName, "ztf");
        var full = ContainerFile.Read(File.ReadAllBytes(Path.Combine(folder, $"{alert.AlertId}.avro")));
        Assert.True(full.Records.Single().AsRecord().TryGet("broker", out _));
        Assert.Equal(3, Directory.GetFiles(folder, $"{alert.AlertId}.*.png").Length);
        Assert.All(Directory.GetFiles(folder, "*.png"), p => Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(p)[..4]));

        // The light frame wrapped in a container file with the published light schema.
        var light = ContainerFile.Read(File.ReadAllBytes(Path.Combine(folder, $"{alert.AlertId + 1}.avro")));
        Assert.Equal(AnnotationSchema.Light.FullName, ((Broker.Avro.Schema.NamedSchema)light.Header.Schema).FullName);
        Assert.Empty(Directory.GetFiles(folder, $"{alert.AlertId + 1}.*.png"));

        var lines = File.ReadAllLines(Path.Combine(_dir.FullName, "alerts.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([alert.AlertId, alert.AlertId + 1], lines.Select(l => l.GetProperty("alert_id").GetInt64()));
        Assert.Equal(["full", "light"], lines.Select(l => l.GetProperty("payload").GetString()));
        Assert.Equal(0.875, lines[0].GetProperty("rb").GetDouble(), 6);
        Assert.Equal(0.5, lines[0].GetProperty("novelty").GetProperty("top_features").GetProperty("lc_color").GetDouble(), 6);
        Assert.Equal(3, lines[0].GetProperty("cutouts").GetArrayLength());
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Theory]
    [InlineData("90m", 90 * 60)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("2d", 2 * 86400)]
    [InlineData("30s", 30)]
    public void An_age_is_before_now(string text, int seconds)
    {
        var now = new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);
        Assert.True(ListenOptions.TryParseSince(text, now, out var at));
        Assert.Equal(now.AddSeconds(-seconds), at);
    }

    [Fact]
    public void A_time_is_read_as_utc_unless_it_says_otherwise_and_nonsense_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.True(ListenOptions.TryParseSince("2026-12-06T20:00", now, out var at));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero), at);
        Assert.True(ListenOptions.TryParseSince("2026-12-06T20:00+02:00", now, out at));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 18, 0, 0, TimeSpan.Zero), at);
        Assert.False(ListenOptions.TryParseSince("yesterday", now, out _));
        Assert.False(ListenOptions.TryParseSince("-3h", now, out _));
    }
}
