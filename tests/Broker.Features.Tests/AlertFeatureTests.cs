using Broker.Alerts.Model;
using Broker.Features.Catalog;
using Broker.Features.Context;

namespace Broker.Features.Tests;

public sealed class AlertFeatureTests
{
    [Fact]
    public void Catalog_has_thirty_plus_documented_features_with_unique_names()
    {
        Assert.Equal(Enum.GetValues<FeatureId>().Length, FeatureCatalog.Count);
        Assert.Equal(FeatureCatalog.Count, FeatureCatalog.Names.Distinct(StringComparer.Ordinal).Count());
        Assert.True(FeatureCatalog.InGroup(FeatureGroup.Pixel).Count() >= 30);
        Assert.All(FeatureCatalog.All, f =>
        {
            Assert.Matches("^[a-z][a-z0-9_]*$", f.Name);
            Assert.False(string.IsNullOrWhiteSpace(f.Definition));
            Assert.False(string.IsNullOrWhiteSpace(f.Lineage));
            Assert.False(string.IsNullOrWhiteSpace(f.Unit));
        });
    }

    [Fact]
    public void Docs_features_md_is_the_generated_catalog()
    {
        var committed = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "docs", "features.md"));
        Assert.True(committed == FeatureDocs.Markdown(), "docs/features.md is stale: run ./broker features --markdown > docs/features.md");
    }

    [Fact]
    public void Every_fixture_alert_with_fits_cutouts_gets_finite_pixel_features()
    {
        var withCutouts = Fixtures.Alerts.Where(a => a.Alert.Difference.Status == CutoutStatus.Fits && a.Alert.Science.Status == CutoutStatus.Fits && a.Alert.Template.Status == CutoutStatus.Fits).ToList();
        Assert.True(withCutouts.Count >= 12, $"only {withCutouts.Count} fixture alerts with cutouts");
        foreach (var (file, alert) in withCutouts)
        {
            var f = AlertFeatures.Extract(alert);
            foreach (var info in FeatureCatalog.InGroup(FeatureGroup.Pixel))
            {
                Assert.False(float.IsNaN(f[info.Index]) || float.IsInfinity(f[info.Index]), $"{file}: {info.Name} = {f[info.Index]}");
            }
        }
    }

    [Fact]
    public void Alerts_without_pixels_get_nan_pixel_features_and_still_context()
    {
        var (file, alert) = Fixtures.Alerts.First(a => a.Alert.Difference.Status != CutoutStatus.Fits);
        var f = AlertFeatures.Extract(alert);
        Assert.All(FeatureCatalog.InGroup(FeatureGroup.Pixel), i => Assert.True(float.IsNaN(f[i.Index]), $"{file}: {i.Name}"));
        Assert.Equal((float)alert.Mag, f[(int)FeatureId.Magnitude]);
    }

    [Fact]
    public void Ztf_fields_pass_through_and_rubin_fields_are_nan_on_ztf()
    {
        var (_, alert) = Fixtures.Alerts.First(a => a.Alert.Survey == Survey.Ztf && a.Alert.Difference.Status == CutoutStatus.Fits);
        var f = AlertFeatures.Extract(alert);
        Assert.Equal((float)alert.SourceNumber("elong"), f[(int)FeatureId.ZtfElong]);
        Assert.Equal((float)alert.SourceNumber("nneg"), f[(int)FeatureId.ZtfNneg]);
        Assert.Equal((float)alert.SourceNumber("fwhm"), f[(int)FeatureId.ZtfFwhm]);
        Assert.InRange(f[(int)FeatureId.SeeingPixels], 1.2, 6); // measured on the science stamp's stars
        Assert.Equal((float)(alert.Mag - alert.SourceNumber("diffmaglim")), f[(int)FeatureId.MagMinusLimit]);
        Assert.All(FeatureCatalog.InGroup(FeatureGroup.Rubin), i => Assert.True(float.IsNaN(f[i.Index]), i.Name));
        Assert.Equal(alert.History.Count + 1, f[(int)FeatureId.DetectionCount]);
    }

    [Fact]
    public void Rubin_alert_uses_its_psf_stamp_and_its_own_fields()
    {
        var (_, alert) = Fixtures.Alerts.First(a => a.Alert.Survey == Survey.Rubin && a.Alert.Difference.Status == CutoutStatus.Fits);
        var f = AlertFeatures.Extract(alert);
        Assert.All(FeatureCatalog.InGroup(FeatureGroup.Ztf), i => Assert.True(float.IsNaN(f[i.Index]), i.Name));
        Assert.Equal((float)alert.SourceNumber("extendedness"), f[(int)FeatureId.RubinExtendedness]);
        var seeing = f[(int)FeatureId.SeeingPixels];
        Assert.InRange(seeing, 1.5, 10);
        Assert.NotEqual((float)StampGeometry.RubinDefaultSeeing, seeing);
        Assert.Equal(alert.IsPositive ? 1 : 0, f[(int)FeatureId.IsPositive]);
    }

    [Fact]
    public void Trimmed_ztf_stamp_centres_on_the_candidate_ccd_position()
    {
        var trimmed = Fixtures.Alerts.Where(a => a.Alert.Survey == Survey.Ztf && a.Alert.Difference.Image is { } i && (i.Width < 63 || i.Height < 63)).ToList();
        Assert.True(trimmed.Count >= 2, "fixtures should hold ZTF stamps trimmed in x and in y");
        foreach (var (file, alert) in trimmed)
        {
            var image = alert.Difference.Image!;
            var (cx, cy) = StampGeometry.Center(alert, image.Width, image.Height);
            // The candidate is the brightest pixel near the computed centre (ZTF detections are >= 5 sigma).
            var best = (X: cx, Y: cy, V: float.MinValue);
            for (var y = Math.Max(0, cy - 2); y <= Math.Min(image.Height - 1, cy + 2); y++)
            {
                for (var x = Math.Max(0, cx - 2); x <= Math.Min(image.Width - 1, cx + 2); x++)
                {
                    if (image[x, y] > best.V)
                    {
                        best = (x, y, image[x, y]);
                    }
                }
            }

            Assert.True(Math.Abs(best.X - cx) <= 1 && Math.Abs(best.Y - cy) <= 1, $"{file}: centre ({cx},{cy}) vs peak ({best.X},{best.Y}) on {image}");
        }
    }
}
