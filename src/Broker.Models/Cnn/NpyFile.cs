// NumPy's .npy format (version 1.0) for little-endian float32 arrays: how generated training sets reach the
// Python training script and how recorded model inputs and outputs come back. Header: magic, version, a
// Python-dict literal with dtype, order and shape, padded with spaces to a multiple of 64 bytes.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Broker.Models.Cnn;

public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes the header of a float32 array of <paramref name="shape"/>; the caller streams the values after it.</summary>
    public static void WriteHeader(Stream stream, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape.ToArray());
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        var unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        var padded = (unpadded + 63) / 64 * 64;
        var header = dict + new string(' ', padded - unpadded) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
    }

    public static void WriteValues(Stream stream, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(MemoryMarshal.AsBytes(values));
    }

    public static void Write(string path, ReadOnlySpan<float> values, ReadOnlySpan<int> shape)
    {
        using var stream = File.Create(path);
        WriteHeader(stream, shape);
        WriteValues(stream, values);
    }

    /// <summary>Reads a float32 little-endian C-order array; anything else is an InvalidDataException naming the file.</summary>
    public static (float[] Values, int[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not a .npy file.");
        }

        var headerLength = bytes[6] == 1 ? BitConverter.ToUInt16(bytes, 8) : (int)BitConverter.ToUInt32(bytes, 8);
        var headerStart = bytes[6] == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        if (!header.Contains("'<f4'", StringComparison.Ordinal) || header.Contains("'fortran_order': True", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: only little-endian float32 C-order arrays are read (header {header.Trim()}).");
        }

        var shapeText = ShapePattern().Match(header);
        if (!shapeText.Success)
        {
            throw new InvalidDataException($"{path}: no shape in header {header.Trim()}.");
        }

        var shape = shapeText.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var count = shape.Aggregate(1L, (a, d) => a * d);
        var dataStart = headerStart + headerLength;
        if (bytes.Length - dataStart != count * sizeof(float))
        {
            throw new InvalidDataException($"{path}: shape ({string.Join(", ", shape)}) needs {count * 4} bytes of data, the file has {bytes.Length - dataStart}.");
        }

        return (MemoryMarshal.Cast<byte, float>(bytes.AsSpan(dataStart)).ToArray(), shape);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
