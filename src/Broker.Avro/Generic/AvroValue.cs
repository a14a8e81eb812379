// A decoded Avro value without boxing: numbers live in 8 bytes inline, strings/records/arrays/maps behind one
// reference, and bytes/fixed as a slice (array, offset, length) of the decoded input, so a 20 KB cutout is
// never copied. A union value is just its branch's value plus the branch index it came from.
using System.Runtime.InteropServices;
using Broker.Avro.Schema;

namespace Broker.Avro.Generic;

[StructLayout(LayoutKind.Auto)]
public readonly struct AvroValue : IEquatable<AvroValue>
{
    private readonly object? _ref;
    private readonly long _bits;
    private readonly int _length;

    private AvroValue(AvroType kind, long bits, object? reference, int length = 0, int branch = -1)
    {
        Kind = kind;
        _bits = bits;
        _ref = reference;
        _length = length;
        Branch = (short)branch;
    }

    /// <summary>The type of the value (never Union: a union value has its branch's type).</summary>
    public AvroType Kind { get; }

    /// <summary>The union branch this value was decoded from or is to be written as, or -1.</summary>
    public short Branch { get; }

    public static AvroValue Null => default;

    public bool IsNull => Kind == AvroType.Null;

    public static AvroValue FromBoolean(bool v) => new(AvroType.Boolean, v ? 1 : 0, null);

    public static AvroValue FromInt(int v) => new(AvroType.Int, v, null);

    public static AvroValue FromLong(long v) => new(AvroType.Long, v, null);

    public static AvroValue FromFloat(float v) => new(AvroType.Float, BitConverter.SingleToInt32Bits(v), null);

    public static AvroValue FromDouble(double v) => new(AvroType.Double, BitConverter.DoubleToInt64Bits(v), null);

    public static AvroValue FromString(string v) => new(AvroType.String, 0, v ?? throw new ArgumentNullException(nameof(v)));

    public static AvroValue FromBytes(byte[] v) => FromBytes(v, 0, v.Length);

    public static AvroValue FromBytes(byte[] array, int offset, int length) => new(AvroType.Bytes, offset, array, length);

    public static AvroValue FromFixed(byte[] array, int offset, int length) => new(AvroType.Fixed, offset, array, length);

    public static AvroValue FromRecord(AvroRecord v) => new(AvroType.Record, 0, v);

    public static AvroValue FromArray(AvroArray v) => new(AvroType.Array, 0, v);

    public static AvroValue FromMap(AvroMap v) => new(AvroType.Map, 0, v);

    public static AvroValue FromEnum(EnumSchema schema, int index) => new(AvroType.Enum, index, schema);

    /// <summary>The same value marked as coming from union branch <paramref name="branch"/>.</summary>
    public AvroValue InBranch(int branch) => new(Kind, _bits, _ref, _length, branch);

    public bool AsBoolean() => Expect(AvroType.Boolean)._bits != 0;

    public int AsInt() => (int)Expect(AvroType.Int)._bits;

    public long AsLong() => Kind == AvroType.Int ? _bits : Expect(AvroType.Long)._bits;

    public float AsFloat() => BitConverter.Int32BitsToSingle((int)Expect(AvroType.Float)._bits);

    public double AsDouble() => Kind == AvroType.Float ? AsFloat() : BitConverter.Int64BitsToDouble(Expect(AvroType.Double)._bits);

    public string AsString() => (string)Expect(AvroType.String)._ref!;

    public ReadOnlyMemory<byte> AsBytes() =>
        Kind is AvroType.Bytes or AvroType.Fixed
            ? new ReadOnlyMemory<byte>((byte[])_ref!, (int)_bits, _length)
            : throw Mismatch(AvroType.Bytes);

    public AvroRecord AsRecord() => (AvroRecord)Expect(AvroType.Record)._ref!;

    public AvroArray AsArray() => (AvroArray)Expect(AvroType.Array)._ref!;

    public AvroMap AsMap() => (AvroMap)Expect(AvroType.Map)._ref!;

    public int EnumIndex => (int)Expect(AvroType.Enum)._bits;

    public string AsEnumSymbol() => ((EnumSchema)Expect(AvroType.Enum)._ref!).Symbols[(int)_bits];

    public EnumSchema EnumSchema => (EnumSchema)Expect(AvroType.Enum)._ref!;

    /// <summary>Any number as a double; null (and anything not numeric) as NaN.</summary>
    public double ToDouble() => Kind switch
    {
        AvroType.Int or AvroType.Long => _bits,
        AvroType.Float => AsFloat(),
        AvroType.Double => AsDouble(),
        AvroType.Boolean => _bits,
        _ => double.NaN,
    };

    /// <summary>A string value, or the symbol of an enum; null otherwise.</summary>
    public string? ToText() => Kind switch
    {
        AvroType.String => (string)_ref!,
        AvroType.Enum => AsEnumSymbol(),
        _ => null,
    };

    public bool Equals(AvroValue other)
    {
        if (Kind != other.Kind)
        {
            return false;
        }

        return Kind switch
        {
            AvroType.Null => true,
            AvroType.Boolean or AvroType.Int or AvroType.Long or AvroType.Float or AvroType.Double or AvroType.Enum => _bits == other._bits,
            AvroType.String => (string)_ref! == (string)other._ref!,
            AvroType.Bytes or AvroType.Fixed => AsBytes().Span.SequenceEqual(other.AsBytes().Span),
            _ => Equals(_ref, other._ref),
        };
    }

    public override bool Equals(object? obj) => obj is AvroValue v && Equals(v);

    public override int GetHashCode() => HashCode.Combine(Kind, _bits, _ref is string s ? s.GetHashCode(StringComparison.Ordinal) : 0);

    public static bool operator ==(AvroValue left, AvroValue right) => left.Equals(right);

    public static bool operator !=(AvroValue left, AvroValue right) => !left.Equals(right);

    public override string ToString() => Kind switch
    {
        AvroType.Null => "null",
        AvroType.Boolean => AsBoolean() ? "true" : "false",
        AvroType.Int or AvroType.Long => _bits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AvroType.Float => AsFloat().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        AvroType.Double => AsDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        AvroType.String => (string)_ref!,
        AvroType.Enum => AsEnumSymbol(),
        AvroType.Bytes or AvroType.Fixed => $"<{_length} bytes>",
        _ => _ref?.ToString() ?? string.Empty,
    };

    private AvroValue Expect(AvroType kind) => Kind == kind ? this : throw Mismatch(kind);

    private InvalidCastException Mismatch(AvroType wanted) => new($"The value is {Kind}, not {wanted}.");
}
