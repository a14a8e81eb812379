// The pieces behind the page, without a browser: a real alert's cutouts become PNGs of the stamp's size (north up,
// the stretch spreading the grey levels), an absent cutout none; the night map projects every sampled alert in every
// subspace and estimates the distinct anomalies, and refuses a sample too small for its forests.
using Broker.Alerts.Decoding;
using Broker.Alerts.Imaging;
using Broker.Alerts.Model;
using Broker.Cluster.Cards;
using Broker.Cluster.Nights;
using Broker.Features.Catalog;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Broker.Dashboard.Tests;

public sealed class CardAndMapTests
{
    private static Alert FixtureAlert()
    {
        var file = Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts", "ztf"), "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        return new AlertDecoder().Decode(File.ReadAllBytes(file))[0];
    }

    [Fact]
    public void A_real_cutout_renders_as_a_png_of_its_size_with_the_grey_levels_spread()
    {
        var alert = FixtureAlert();
        var png = CutoutPng.Render(alert.Science);
        Assert.NotNull(png);
        using var image = Image.Load<L8>(png);
        Assert.Equal(alert.Science.Image!.Width, image.Width);
        Assert.Equal(alert.Science.Image!.Height, image.Height);
        var levels = new HashSet<byte>();
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    levels.Add(p.PackedValue);
                }
            }
        });
        Assert.True(levels.Count > 50, $"only {levels.Count} grey levels: the stretch collapsed the stamp");
        Assert.Null(CutoutPng.Render(Cutout.Absent));
    }

    [Fact]
    public void The_map_projects_every_alert_in_every_subspace_and_estimates_the_anomalies()
    {
        var random = new Random(4);
        var sample = Enumerable.Range(0, 400).Select(i =>
        {
            var features = new float[FeatureCatalog.Count];
            for (var f = 0; f < features.Length; f++)
            {
                features[f] = i < 5 ? 50f + (float)random.NextDouble() : (float)random.NextDouble(); // five far outliers
            }

            return new MapPoint(i, "obj" + i, "r", 0.9f, 0.5f, features);
        }).ToList();
        var map = NightMap.Build(sample);
        Assert.Null(map.Error);
        Assert.NotEmpty(map.Subspaces!);
        foreach (var s in map.Subspaces!)
        {
            Assert.Equal(400, s.Xy.Count);
        }

        var anomalies = map.Anomalies!.Value;
        Assert.Equal(8, anomalies.K);
        Assert.True(anomalies.Overlap >= 5, "both forests should rank the five planted outliers in their top k");
        Assert.Equal(Math.Round(anomalies.Overlap * anomalies.Overlap / 8.0, 1), anomalies.Estimate);

        // The page's JSON: snake_case, the error member only when there is one.
        var json = System.Text.Json.JsonSerializer.Serialize(map, DashboardJson.Default.MapDocument);
        Assert.DoesNotContain("\"error\"", json, StringComparison.Ordinal);
        Assert.Contains("\"alert_id\":\"0\"", json, StringComparison.Ordinal);
        Assert.Contains("\"anomalies\":{\"k\":8,\"overlap\":", json, StringComparison.Ordinal);
        var small = NightMap.Build(sample.Take(10).ToList());
        Assert.NotNull(small.Error);
        Assert.Equal("{\"points\":10,\"error\":\"the night has 10 sampled alerts; the map needs " + NightMap.MinimumPoints + "\"}",
            System.Text.Json.JsonSerializer.Serialize(small, DashboardJson.Default.MapDocument));
    }
}
