using Broker.Alerts.Decoding;
using Broker.Alerts.Fits;
using Broker.Alerts.Model;
using Broker.Models.Cnn;

namespace Broker.Models.Tests;

public sealed class CutoutTensorTests
{
    private const int Plane = CutoutTensor.Size * CutoutTensor.Size;

    [Fact]
    public void A_source_on_flat_noise_maps_to_asinh_of_its_significance_at_the_centre()
    {
        var random = new Random(2);
        var pixels = new float[63 * 63];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = 100 + (float)(5 * Gaussian(random));
        }

        pixels[(31 * 63) + 31] += 300; // a 60-sigma spike on a background of 100, noise 5
        using var stamp = Features.Stamps.Stamp.From(Image(63, 63, pixels), 1, 31, 31)!;
        var tensor = new float[CutoutTensor.Length];
        CutoutTensor.Write(stamp, null, null, tensor);

        var expected = MathF.Asinh((pixels[(31 * 63) + 31] - stamp.Background) / (3 * stamp.Sigma));
        Assert.Equal(expected, tensor[(31 * 63) + 31], 1e-5f);
        Assert.InRange(tensor[(31 * 63) + 31], MathF.Asinh(55f / 3), MathF.Asinh(65f / 3));
        Assert.InRange(stamp.Sigma, 4.5f, 5.5f);
        var noise = tensor.AsSpan(0, Plane).ToArray().Where((_, i) => i != (31 * 63) + 31).ToArray();
        Assert.InRange(Math.Sqrt(noise.Average(v => v * v)), 0.28, 0.38); // ~asinh(1/3) per pixel
        Assert.All(tensor.AsSpan(Plane).ToArray(), v => Assert.Equal(0f, v)); // absent stamps are zeros
    }

    [Fact]
    public void Smaller_stamps_are_padded_with_the_candidate_moved_to_the_centre_and_nan_becomes_zero()
    {
        // A 41x21 stamp (a trimmed ZTF stamp's shape) whose candidate sits at (20, 10): canvas x = x + 11, y = y + 21.
        var pixels = new float[41 * 21];
        var random = new Random(4);
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)Gaussian(random);
        }

        pixels[(10 * 41) + 20] = 50;
        pixels[(0 * 41) + 40] = float.NaN;
        pixels[(1 * 41) + 40] = float.MinValue; // ZTF's masked-pixel sentinel
        using var stamp = Features.Stamps.Stamp.From(Image(41, 21, pixels), 1, 20, 10)!;
        var tensor = new float[CutoutTensor.Length];
        CutoutTensor.Write(null, null, stamp, tensor);
        var diff = tensor.AsSpan(2 * Plane, Plane);

        Assert.Equal(MathF.Asinh((50 - stamp.Background) / (3 * stamp.Sigma)), diff[(31 * 63) + 31], 1e-5f);
        Assert.Equal(0f, diff[(0 * 63) + 62]);                // outside the stamp: padding
        Assert.Equal(0f, diff[(21 * 63) + 51]); // the NaN pixel (40, 0)
        Assert.Equal(0f, diff[(22 * 63) + 51]); // the sentinel pixel (40, 1)
        Assert.NotEqual(0f, diff[(23 * 63) + 51]);
        Assert.All(diff.ToArray(), v => Assert.True(float.IsFinite(v)));
        var inside = 0;
        for (var y = 0; y < 63; y++)
        {
            for (var x = 0; x < 63; x++)
            {
                if (diff[(y * 63) + x] != 0)
                {
                    inside++;
                    Assert.InRange(x, 11, 51);
                    Assert.InRange(y, 21, 41);
                }
            }
        }

        Assert.Equal((41 * 21) - 2, inside);
    }

    [Fact]
    public void Every_fixture_alert_gives_finite_values_in_the_documented_range()
    {
        var decoder = new AlertDecoder();
        var tensor = new float[CutoutTensor.Length];
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(TestData.Fixtures, "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            IReadOnlyList<Alert> alerts;
            try
            {
                alerts = decoder.Decode(File.ReadAllBytes(file));
            }
            catch (AlertDecodeException)
            {
                continue;
            }

            foreach (var alert in alerts.Where(a => a.Difference.Image is not null))
            {
                CutoutTensor.Write(alert, tensor);
                Assert.All(tensor, v => Assert.InRange(v, -25f, 25f)); // asinh of +-1e10 sigma is 23.7
                Assert.True(tensor.AsSpan(2 * Plane, Plane).ToArray().Any(v => v != 0), file);
                count++;
            }
        }

        Assert.True(count >= 15, $"{count} fixture alerts with cutouts");
    }

    private static FitsImage Image(int w, int h, float[] p) => new(w, h, p, new Dictionary<string, string>());

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
