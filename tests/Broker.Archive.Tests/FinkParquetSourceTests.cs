// Fink's Data Transfer export (real LSSTCam alerts of day_obs 2026-03-09, three of its Parquet files) read as Rubin
// alerts: every row decodes with its three cutouts, its history and Rubin's reliability, and is annotated with the
// Rubin features present.
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
        Assert.True(FinkParquetSource.Is(ArchiveFixture.FinkExport));
        var messages = FinkParquetSource.Read(ArchiveFixture.FinkExport).ToList();
        Assert.Equal(FinkParquetSource.Count(ArchiveFixture.FinkExport), messages.Count);
        Assert.True(messages.Count >= 3);
        var decoder = new AlertDecoder();
        foreach (var (name, bytes) in messages)
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
        var items = FinkParquetSource.Read(ArchiveFixture.FinkExport).Select(m => new ReplayItem(m.Name, m.Bytes)).ToList();
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
    }

    [Fact]
    public void An_export_without_its_schema_sidecar_is_refused_plainly()
    {
        foreach (var parquet in Directory.EnumerateFiles(ArchiveFixture.FinkExport, "*.parquet").Take(1))
        {
            File.Copy(parquet, Path.Combine(_dir.FullName, Path.GetFileName(parquet)));
        }

        Assert.False(FinkParquetSource.Is(_dir.FullName));
        var e = Assert.Throws<ArchiveException>(() => FinkParquetSource.Read(_dir.FullName).ToList());
        Assert.Contains("avro_schema_", e.Message, StringComparison.Ordinal);
    }
}
