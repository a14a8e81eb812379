// A short description of a cutout triplet for the realism measure: what a classifier needs to tell generated
// stamps from real ones without learning 12,000 pixels from a few hundred alerts. Per channel of the CNN's input
// (CutoutTensor: science, template, difference, asinh-scaled): the central 21x21 pixels as 7x7 block means (the
// candidate's shape and its surroundings), and of the pixels outside the central 31x31 their spread and their
// neighbour correlation along rows and along columns (noise level and texture: resampled, PSF-matched real images
// have correlated noise, white noise has none).
using Broker.Models.Cnn;

namespace Broker.Models.Evaluation;

public static class CutoutSummary
{
    private const int Blocks = 7;
    private const int Block = 3;
    private const int Inner = 15; // half-width of the box left out of the noise statistics

    public const int PerChannel = (Blocks * Blocks) + 3;
    public const int Length = CutoutTensor.Channels * PerChannel;

    /// <summary>Summarises one CutoutTensor (channel-major [3, 63, 63]) into <paramref name="destination"/>.</summary>
    public static void Write(ReadOnlySpan<float> tensor, Span<float> destination)
    {
        const int size = CutoutTensor.Size;
        const int c0 = CutoutTensor.Half - (Blocks * Block / 2);
        for (var ch = 0; ch < CutoutTensor.Channels; ch++)
        {
            var image = tensor.Slice(ch * size * size, size * size);
            var output = destination.Slice(ch * PerChannel, PerChannel);
            for (var by = 0; by < Blocks; by++)
            {
                for (var bx = 0; bx < Blocks; bx++)
                {
                    var sum = 0f;
                    for (var y = 0; y < Block; y++)
                    {
                        for (var x = 0; x < Block; x++)
                        {
                            sum += image[((c0 + (by * Block) + y) * size) + c0 + (bx * Block) + x];
                        }
                    }

                    output[(by * Blocks) + bx] = sum / (Block * Block);
                }
            }

            var (spread, alongRows, alongColumns) = Noise(image, size);
            output[Blocks * Blocks] = spread;
            output[(Blocks * Blocks) + 1] = alongRows;
            output[(Blocks * Blocks) + 2] = alongColumns;
        }
    }

    // Standard deviation of the outer pixels and their lag-1 correlation along rows and along columns.
    private static (float Spread, float AlongRows, float AlongColumns) Noise(ReadOnlySpan<float> image, int size)
    {
        const int half = CutoutTensor.Half;
        static bool Outer(int x, int y) => Math.Abs(x - half) > Inner || Math.Abs(y - half) > Inner;
        double sum = 0, squares = 0;
        var count = 0;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                if (Outer(x, y))
                {
                    var v = image[(y * size) + x];
                    sum += v;
                    squares += v * v;
                    count++;
                }
            }
        }

        var mean = sum / count;
        var variance = Math.Max((squares / count) - (mean * mean), 1e-12);
        double rows = 0, columns = 0;
        int rowPairs = 0, columnPairs = 0;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                if (!Outer(x, y))
                {
                    continue;
                }

                var v = image[(y * size) + x] - mean;
                if (x + 1 < size && Outer(x + 1, y))
                {
                    rows += v * (image[(y * size) + x + 1] - mean);
                    rowPairs++;
                }

                if (y + 1 < size && Outer(x, y + 1))
                {
                    columns += v * (image[((y + 1) * size) + x] - mean);
                    columnPairs++;
                }
            }
        }

        return ((float)Math.Sqrt(variance), (float)(rows / rowPairs / variance), (float)(columns / columnPairs / variance));
    }
}
