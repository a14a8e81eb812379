// The generator realism measure: a classifier that cannot tell two samples of one distribution apart scores near
// 0.5, one that can scores near 1; per-kind AUCs pick out the kind that differs; groups never straddle folds.
using Broker.Models.Cnn;
using Broker.Models.Evaluation;

namespace Broker.Models.Tests;

public sealed class RealismMeasureTests
{
    private const int Width = 6;

    [Fact]
    public void Two_samples_of_one_distribution_score_near_chance_and_a_shifted_kind_stands_out()
    {
        // 400 "real" rows, then 400 "generated": kind A drawn exactly as the real ones, kind B with feature 2 shifted.
        var random = new Random(7);
        var n = 800;
        var vectors = new float[n * Width];
        var isGenerated = new bool[n];
        var kindB = new bool[n];
        var groups = new long[n];
        for (var i = 0; i < n; i++)
        {
            isGenerated[i] = i >= 400;
            kindB[i] = i >= 600;
            groups[i] = i / 4; // four rows per source
            for (var c = 0; c < Width; c++)
            {
                vectors[(i * Width) + c] = (float)Gaussian(random) + (kindB[i] && c == 2 ? 2.5f : 0f);
            }
        }

        var scores = RealismMeasure.OutOfFold(vectors, Width, isGenerated, groups, seed: 3);
        var sameAuc = RealismMeasure.Auc(scores, isGenerated, i => !kindB[i]);
        var shiftedAuc = RealismMeasure.Auc(scores, isGenerated, i => kindB[i]);
        Assert.InRange(sameAuc, 0.35, 0.65);
        Assert.True(shiftedAuc > 0.85, $"shifted kind AUC {shiftedAuc:F3}");
        Assert.True(RealismMeasure.Auc(scores, isGenerated, _ => true) > sameAuc);
    }

    [Fact]
    public void Identical_rows_cannot_be_told_apart()
    {
        // Each generated row is a copy of a real one: nothing distinguishes them, whatever the folds.
        var random = new Random(11);
        var vectors = new float[400 * Width];
        for (var i = 0; i < 200; i++)
        {
            for (var c = 0; c < Width; c++)
            {
                vectors[(i * Width) + c] = vectors[((i + 200) * Width) + c] = (float)Gaussian(random);
            }
        }

        var isGenerated = Enumerable.Range(0, 400).Select(i => i >= 200).ToArray();
        var scores = RealismMeasure.OutOfFold(vectors, Width, isGenerated, [.. Enumerable.Range(0, 400).Select(i => (long)(i % 200))]);
        Assert.InRange(RealismMeasure.Auc(scores, isGenerated, _ => true), 0.4, 0.6);
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RealismMeasure.OutOfFold(new float[10], Width, new bool[2], new long[2]));
    }

    [Fact]
    public void The_cutout_summary_sees_correlated_noise()
    {
        var random = new Random(5);
        var white = new float[CutoutTensor.Length];
        for (var i = 0; i < white.Length; i++)
        {
            white[i] = (float)Gaussian(random);
        }

        // The same noise smoothed along rows and columns (as PSF matching and resampling do).
        var smooth = new float[CutoutTensor.Length];
        const int size = CutoutTensor.Size;
        for (var ch = 0; ch < CutoutTensor.Channels; ch++)
        {
            for (var y = 0; y < size - 1; y++)
            {
                for (var x = 0; x < size - 1; x++)
                {
                    var o = ch * size * size;
                    smooth[o + (y * size) + x] = white[o + (y * size) + x] + white[o + (y * size) + x + 1] + white[o + ((y + 1) * size) + x] + white[o + ((y + 1) * size) + x + 1];
                }
            }
        }

        var a = new float[CutoutSummary.Length];
        var b = new float[CutoutSummary.Length];
        CutoutSummary.Write(white, a);
        CutoutSummary.Write(smooth, b);
        var rowCorrelation = CutoutSummary.PerChannel - 2;
        Assert.InRange(a[rowCorrelation], -0.1, 0.1);
        Assert.True(b[rowCorrelation] > 0.3, $"row correlation {b[rowCorrelation]:F3}");
        Assert.True(b[rowCorrelation + 1] > 0.3);
        Assert.InRange(a[CutoutSummary.PerChannel - 3], 0.9, 1.1); // spread of unit noise
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
