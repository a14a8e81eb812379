// A forward-only reader of Avro's binary encoding over a span, in the shape of System.Text.Json's
// Utf8JsonReader: a ref struct, no allocation for numbers, lengths checked against what is left before any
// slice or allocation (so a hostile length prefix cannot make it allocate), errors carrying the byte offset.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Broker.Avro.Schema;

namespace Broker.Avro.Binary;

public ref struct AvroReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly long _baseOffset;
    private int _position;

    /// <param name="data">The encoded bytes.</param>
    /// <param name="baseOffset">Offset of <paramref name="data"/> in the enclosing input, for error messages.</param>
    public AvroReader(ReadOnlySpan<byte> data, long baseOffset = 0)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>The absolute offset (base + position) for error messages.</summary>
    public readonly long Offset => _baseOffset + _position;

    public readonly bool End => _position >= _data.Length;

    /// <summary>Reads a zig-zag varint long (at most 10 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadLong()
    {
        var data = _data;
        var pos = _position;
        if ((uint)pos < (uint)data.Length && data[pos] < 0x80)
        {
            _position = pos + 1;
            var b = (ulong)data[pos];
            return (long)(b >> 1) ^ -(long)(b & 1);
        }

        return ReadLongSlow();
    }

    private long ReadLongSlow()
    {
        ulong value = 0;
        var shift = 0;
        var start = _position;
        while (true)
        {
            if (_position >= _data.Length)
            {
                throw Error("unexpected end of data in a varint", start);
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                break;
            }

            shift += 7;
            if (shift > 63)
            {
                throw Error("varint longer than 10 bytes", start);
            }
        }

        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    public int ReadInt()
    {
        var start = _position;
        var v = ReadLong();
        if (v is < int.MinValue or > int.MaxValue)
        {
            throw Error($"int out of range ({v})", start);
        }

        return (int)v;
    }

    public bool ReadBoolean()
    {
        var b = ReadByte();
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Error($"boolean byte is {b}, not 0 or 1", _position - 1),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>Reads a length-prefixed byte string as a slice of the input (no copy).</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var start = _position;
        var length = ReadLong();
        if (length < 0)
        {
            throw Error($"negative length {length}", start);
        }

        if (length > Remaining)
        {
            throw Error($"length {length} is past the end of the data ({Remaining} bytes left)", start);
        }

        return Take((int)length);
    }

    /// <summary>Reads a length-prefixed byte string and returns where it sits in the input.</summary>
    public (int Start, int Length) ReadBytesRange()
    {
        var bytes = ReadBytes();
        return (_position - bytes.Length, bytes.Length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    public ReadOnlySpan<byte> ReadFixed(int size) => Take(size);

    public byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw Error("unexpected end of data", _position);
        }

        return _data[_position++];
    }

    /// <summary>
    /// Reads an array or map block header: the item count (a negative count is followed by the block's byte size,
    /// which is read and ignored). Returns 0 at the end of the array.
    /// </summary>
    public long ReadBlockCount(int minItemBytes)
    {
        var start = _position;
        var count = ReadLong();
        if (count < 0)
        {
            if (count == long.MinValue)
            {
                throw Error("invalid block count", start);
            }

            count = -count;
            var size = ReadLong();
            if (size < 0 || size > Remaining)
            {
                throw Error($"block size {size} is invalid ({Remaining} bytes left)", start);
            }
        }

        // Every item takes at least minItemBytes, so a count larger than what is left is a lie: refuse it
        // before anybody allocates for it. Zero-byte items (null) are capped separately by the caller.
        if (minItemBytes > 0 && count > Remaining / minItemBytes)
        {
            throw Error($"block claims {count} items but only {Remaining} bytes are left", start);
        }

        return count;
    }

    /// <summary>Skips one value of <paramref name="schema"/> without materializing it.</summary>
    public void Skip(AvroSchema schema, int depth = 0)
    {
        if (depth > Decoding.DecodePlan.MaxDepth)
        {
            throw Error("data nests too deeply", _position);
        }

        switch (schema.Type)
        {
            case AvroType.Null:
                return;
            case AvroType.Boolean:
                Take(1);
                return;
            case AvroType.Int:
            case AvroType.Long:
                ReadLong();
                return;
            case AvroType.Float:
                Take(4);
                return;
            case AvroType.Double:
                Take(8);
                return;
            case AvroType.Bytes:
            case AvroType.String:
                ReadBytes();
                return;
            case AvroType.Fixed:
                Take(((FixedSchema)schema).Size);
                return;
            case AvroType.Enum:
                ReadLong();
                return;
            case AvroType.Record:
                foreach (var f in ((RecordSchema)schema).Fields)
                {
                    Skip(f.Schema, depth + 1);
                }

                return;
            case AvroType.Array:
                SkipBlocks(((ArraySchema)schema).Items, isMap: false, depth);
                return;
            case AvroType.Map:
                SkipBlocks(((MapSchema)schema).Values, isMap: true, depth);
                return;
            case AvroType.Union:
                var union = (UnionSchema)schema;
                var start = _position;
                var branch = ReadLong();
                if (branch < 0 || branch >= union.Branches.Count)
                {
                    throw Error($"union branch {branch} does not exist (the union has {union.Branches.Count})", start);
                }

                Skip(union.Branches[(int)branch], depth + 1);
                return;
            default:
                throw Error($"cannot skip type {schema.Type}", _position);
        }
    }

    private void SkipBlocks(AvroSchema item, bool isMap, int depth)
    {
        long total = 0;
        while (true)
        {
            var count = ReadBlockCount(isMap ? 1 : Decoding.DecodePlan.MinBytes(item));
            if (count == 0)
            {
                return;
            }

            total += count;
            if (total > Decoding.DecodePlan.MaxItems)
            {
                throw Error($"more than {Decoding.DecodePlan.MaxItems} items in one array or map", _position);
            }

            for (long i = 0; i < count; i++)
            {
                if (isMap)
                {
                    ReadBytes();
                }

                Skip(item, depth + 1);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_data.Length - _position))
        {
            throw Error($"unexpected end of data (needed {count} bytes, {Remaining} left)", _position);
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    public readonly AvroDecodeException Error(string reason, int position) => new(reason, _baseOffset + position);
}
