// The night's map, the seed paper's idea live: the night grain's sample of alerts, rank-transformed by a forest grown
// on that sample, projected to 2D per feature subspace (the two principal axes of the subspace's ranks; a feature the
// alert lacks sits at the median, 0.5), with each alert's novelty, rb and band for colour. Beside it, how many
// genuinely different anomalies the night holds: two forests grown with independent seeds each rank the sample, their
// top k overlap in g alerts, and n ~ g^2 / k (as the seed paper estimates it).
using System.Globalization;
using System.Text.Json.Serialization;
using Broker.Cluster.Nights;
using Broker.Features.Catalog;
using Broker.Novelty;
using Broker.Novelty.Forest;
using Broker.Novelty.Ranks;
using Broker.Novelty.Snapshots;

namespace Broker.Dashboard;

public static class NightMap
{
    /// <summary>Fewer sampled alerts than this give no map (the forests need a sample of their own).</summary>
    public const int MinimumPoints = DistinctAnomalies.MinimumPoints;

    public static MapDocument Build(IReadOnlyList<MapPoint> sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Count < MinimumPoints)
        {
            return new MapDocument(sample.Count, $"the night has {sample.Count} sampled alerts; the map needs {MinimumPoints}");
        }

        var width = FeatureCatalog.Count;
        var vectors = MapSample.Vectors(sample, width);

        var (first, second) = DistinctAnomalies.Forests(vectors, sample.Count, width);
        var ranks = new float[sample.Count][];
        for (var i = 0; i < sample.Count; i++)
        {
            ranks[i] = new float[width];
            first.Ranks.Transform(vectors.AsSpan(i * width, width), ranks[i]);
        }

        var anomalies = DistinctAnomalies.Of(first, second, vectors, sample.Count, width);
        return new MapDocument(
            sample.Count,
            Alerts: [.. sample.Select(p => new MapAlert(p.AlertId.ToString(CultureInfo.InvariantCulture), p.ObjectId, p.Band, Math.Round(p.Rb, 3), p.Novelty is { } n ? Math.Round(n, 3) : null))],
            Subspaces: [.. first.Subspaces.Select(s => new MapSubspace(s.Name, Project(ranks, s)))],
            Anomalies: anomalies);
    }

    // The subspace's ranks (missing at 0.5), centred, onto their two leading principal axes (power iteration with
    // deflation on the covariance); coordinates rounded for the page.
    private static List<float[]> Project(float[][] ranks, Subspace subspace)
    {
        var d = subspace.Features.Count;
        var n = ranks.Length;
        var x = new double[n, d];
        var mean = new double[d];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < d; j++)
            {
                var r = ranks[i][subspace.Features[j]];
                x[i, j] = r == RankTransform.Missing || float.IsNaN(r) ? 0.5 : r;
                mean[j] += x[i, j] / n;
            }
        }

        var cov = new double[d, d];
        for (var i = 0; i < n; i++)
        {
            for (var a = 0; a < d; a++)
            {
                x[i, a] -= mean[a];
            }

            for (var a = 0; a < d; a++)
            {
                for (var b = 0; b < d; b++)
                {
                    cov[a, b] += x[i, a] * x[i, b] / n;
                }
            }
        }

        var axes = new double[2][];
        for (var c = 0; c < 2; c++)
        {
            var v = Enumerable.Range(0, d).Select(j => 1.0 / Math.Sqrt(d) + (j * 1e-3)).ToArray();
            for (var iteration = 0; iteration < 100; iteration++)
            {
                var w = new double[d];
                for (var a = 0; a < d; a++)
                {
                    for (var b = 0; b < d; b++)
                    {
                        w[a] += cov[a, b] * v[b];
                    }
                }

                for (var p = 0; p < c; p++)
                {
                    var dot = w.Zip(axes[p]).Sum(t => t.First * t.Second);
                    for (var a = 0; a < d; a++)
                    {
                        w[a] -= dot * axes[p][a];
                    }
                }

                var norm = Math.Sqrt(w.Sum(t => t * t));
                if (norm < 1e-12)
                {
                    break;
                }

                v = [.. w.Select(t => t / norm)];
            }

            axes[c] = v;
        }

        var xy = new List<float[]>(n);
        for (var i = 0; i < n; i++)
        {
            double px = 0, py = 0;
            for (var a = 0; a < d; a++)
            {
                px += x[i, a] * axes[0][a];
                py += x[i, a] * axes[1][a];
            }

            xy.Add([(float)Math.Round(px, 4), (float)Math.Round(py, 4)]);
        }

        return xy;
    }
}

/// <summary>
/// A night's map (GET /api/map/{survey}/{night}): every sampled alert, its position in each subspace's projection,
/// and the distinct-anomaly estimate; or, for a night with too few alerts, the count and why (the other members absent).
/// </summary>
public sealed record MapDocument(
    int Points,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<MapAlert>? Alerts = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<MapSubspace>? Subspaces = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DistinctAnomalies? Anomalies = null);

/// <summary>One sampled alert (its id as text: ZTF and Rubin ids exceed JavaScript's 53 bits).</summary>
public sealed record MapAlert(string AlertId, string ObjectId, string Band, double Rb, double? Novelty);

/// <summary>A subspace and every alert's position in its two-dimensional projection, in sample order.</summary>
public sealed record MapSubspace(string Name, IReadOnlyList<float[]> Xy);
