// Fink's Data Transfer export (real LSSTCam alerts of day_obs 2026-03-09, three of its Parquet files) read as Rubin
// alerts (through Broker.Sources, as every command reads them): every row decodes with its three cutouts, its history
// and Rubin's reliability, and is annotated with the Rubin features present; the archive written reads back as alerts.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Archive.Replay;
using Broker.Features.Catalog;

namespace Broker.Archive.Tests;

public sealed class FinkParquetSourceTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("broker-fink-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Every_row_becomes_a_rubin_alert_with_its_cutouts_history_and_reliability()
    {
        var source = AlertSources.Open([ArchiveFixture.FinkExport]);
        var messages = source.Read().ToList();
        Assert.Equal(source.Count(), messages.Count);
        Assert.True(messages.Count >= 3);
        var decoder = new AlertDecoder();
        foreach (var (name, bytes) in messages.Select(m => (m.Name, m.Message!)))
        {
            var alert = Assert.Single(decoder.Decode(bytes));
            Assert.Equal(Survey.Rubin, alert.Survey);
            Assert.Equal("lsst.v10_0.alert", alert.SchemaVersion);
            Assert.Contains(alert.AlertId.ToString(System.Globalization.CultureInfo.InvariantCulture), name, StringComparison.Ordinal);
            Assert.All(new[] { alert.Science, alert.Template, alert.Difference }, c => Assert.Equal(CutoutStatus.Fits, c.Status));
            Assert.NotNull(alert.SurveyScore);
            Assert.NotEmpty(alert.History);
            Assert.Equal("2026-03-09", ObservingNight.Name(ObservingNight.Of(Survey.Rubin, alert.Mjd)));
        }
    }

    [Fact]
    public async Task The_exports_alerts_are_annotated_with_rubin_features()
    {
        var items = AlertSources.Open([ArchiveFixture.FinkExport]).Read().Select(m => new ReplayItem(m.Name, m.Message!)).ToList();
        var annotated = await ArchiveFixture.ScoreIntoAsync(Path.Combine(_dir.FullName, "archive"), items);
        Assert.Equal(items.Count, annotated.Count);
        var rubin = FeatureCatalog.All.Select((f, i) => (f.Name, i)).Where(f => f.Name.StartsWith("rubin_", StringComparison.Ordinal)).ToList();
        var pixel = Array.IndexOf(FeatureCatalog.Names, "diff_peak_snr");
        foreach (var a in annotated)
        {
            Assert.True(rubin.Count(f => !float.IsNaN(a.Annotation.Features[f.i])) >= rubin.Count / 2, $"{a.Name}: most Rubin features missing");
            Assert.False(float.IsNaN(a.Annotation.Features[pixel]), $"{a.Name}: no pixel features (cutouts not decoded)");
            Assert.NotNull(a.Annotation.Cnn);
        }

        Assert.Single(ArchiveLayout.Nights(Path.Combine(_dir.FullName, "archive")));

        // The archive's own files are an alert source too: each record is the alert it was before annotation.
        var archived = AlertSources.Open([Path.Combine(_dir.FullName, "archive")]).Read().Where(i => i.Format == Broker.Sources.SourceFormat.BrokerArchive).ToList();
        var decoder = new AlertDecoder();
        Assert.Equal(
            items.Select(i => decoder.Decode(i.Message)[0].AlertId).Order(),
            archived.Select(i => decoder.Decode(i.Message!)[0].AlertId).Order());
    }
}
