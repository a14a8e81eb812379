// A cutout prepared for measurement: background (median) subtracted, noise (MAD sigma) known, candidate
// position known. Masked pixels stay NaN; every measurement skips them. Besides NaN, real ZTF templates mark
// masked pixels with float.MinValue (4 of 262 shared alerts): any |value| >= 1e30 is taken as masked. Pixels live in a pooled buffer that
// the owner returns with Dispose.
using System.Buffers;
using Broker.Alerts.Fits;

namespace Broker.Features.Stamps;

public sealed class Stamp : IDisposable
{
    /// <summary>Half-size of the central box left out of the noise estimate, so the candidate does not inflate it.</summary>
    public const int NoiseExclusionHalfSize = 5;

    /// <summary>Magnitudes at or above this are mask sentinels, not flux (no detector reaches it).</summary>
    public const float MaskSentinel = 1e30f;

    private float[]? _pixels;

    private Stamp(float[] pixels, int width, int height, int cx, int cy, float background, float sigma, int finite)
    {
        _pixels = pixels;
        Width = width;
        Height = height;
        CenterX = cx;
        CenterY = cy;
        Background = background;
        Sigma = sigma;
        FiniteCount = finite;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Candidate column (0-based).</summary>
    public int CenterX { get; }

    /// <summary>Candidate row (0-based, FITS order: row 0 at the bottom).</summary>
    public int CenterY { get; }

    public float Background { get; }

    /// <summary>Robust noise per pixel; at least a tiny positive value so ratios stay finite.</summary>
    public float Sigma { get; }

    public int FiniteCount { get; }

    public ReadOnlySpan<float> Pixels => _pixels.AsSpan(0, Width * Height);

    public float this[int x, int y] => _pixels![(y * Width) + x];

    public bool Contains(int x, int y) => (uint)x < (uint)Width && (uint)y < (uint)Height;

    /// <summary>Value at (x, y), or NaN outside the stamp.</summary>
    public float At(int x, int y) => Contains(x, y) ? _pixels![(y * Width) + x] : float.NaN;

    /// <summary>
    /// Prepares a stamp. <paramref name="sign"/> -1 flips the difference of a negative detection so the source is
    /// positive. The centre defaults to the geometric centre.
    /// </summary>
    public static Stamp? From(FitsImage? image, int sign = 1, int? centerX = null, int? centerY = null)
    {
        if (image is null || image.Width < 5 || image.Height < 5)
        {
            return null;
        }

        var n = image.Width * image.Height;
        var pixels = ArrayPool<float>.Shared.Rent(n);
        var scratch = ArrayPool<float>.Shared.Rent(n);
        try
        {
            var cx = Math.Clamp(centerX ?? ((image.Width - 1) / 2), 0, image.Width - 1);
            var cy = Math.Clamp(centerY ?? ((image.Height - 1) / 2), 0, image.Height - 1);
            var source = image.Pixels.AsSpan();
            int outer = 0, finite = 0;
            var width = image.Width;
            var bandFrom = Math.Max(cx - NoiseExclusionHalfSize, 0);
            var bandTo = Math.Min(cx + NoiseExclusionHalfSize + 1, width);
            for (var y = 0; y < image.Height; y++)
            {
                var row = y * width;
                if (Math.Abs(y - cy) > NoiseExclusionHalfSize)
                {
                    CopyRow(source.Slice(row, width), pixels.AsSpan(row, width), scratch, ref outer, ref finite, sign, noise: true);
                    continue;
                }

                // Rows through the candidate: the central box is measured but left out of the noise estimate.
                CopyRow(source.Slice(row, bandFrom), pixels.AsSpan(row, bandFrom), scratch, ref outer, ref finite, sign, noise: true);
                CopyRow(source.Slice(row + bandFrom, bandTo - bandFrom), pixels.AsSpan(row + bandFrom, bandTo - bandFrom), scratch, ref outer, ref finite, sign, noise: false);
                CopyRow(source.Slice(row + bandTo, width - bandTo), pixels.AsSpan(row + bandTo, width - bandTo), scratch, ref outer, ref finite, sign, noise: true);
            }

            if (finite == 0)
            {
                ArrayPool<float>.Shared.Return(pixels);
                return null;
            }

            if (outer < 50)
            {
                // Tiny stamp: estimate from every finite pixel.
                outer = 0;
                foreach (var v in pixels.AsSpan(0, n))
                {
                    if (!float.IsNaN(v))
                    {
                        scratch[outer++] = v;
                    }
                }
            }

            var (background, sigma) = RobustStats.MedianAndSigma(scratch.AsSpan(0, outer));
            var span = pixels.AsSpan(0, n);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] -= background;
            }

            // A constant stamp (zero MAD) would make every ratio infinite: floor sigma at a tiny fraction of the scale.
            var floor = Math.Max(1e-6f, Math.Abs(background) * 1e-6f);
            return new Stamp(pixels, image.Width, image.Height, cx, cy, background, Math.Max(sigma, floor), finite);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Copies one run of pixels with the sign applied, masked ones (NaN, infinities, sentinels) as NaN, counting the
    /// finite ones and appending them to the noise sample when <paramref name="noise"/>.
    /// </summary>
    private static void CopyRow(ReadOnlySpan<float> source, Span<float> target, float[] scratch, ref int outer, ref int finite, int sign, bool noise)
    {
        for (var i = 0; i < source.Length; i++)
        {
            var v = source[i];

            // One comparison rejects NaN (false for any comparison), infinities and the mask sentinels.
            if (!(Math.Abs(v) < MaskSentinel))
            {
                target[i] = float.NaN;
                continue;
            }

            v *= sign;
            target[i] = v;
            finite++;
            if (noise)
            {
                scratch[outer++] = v;
            }
        }
    }

    public void Dispose()
    {
        if (_pixels is { } p)
        {
            _pixels = null;
            ArrayPool<float>.Shared.Return(p);
        }
    }
}
