// The nodes of a decode plan: one small class per kind of step, so the per-field cost is one virtual call.
using Broker.Avro.Binary;
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Avro.Decoding;

internal abstract class ValueDecoder
{
    public abstract AvroValue Read(ref AvroReader r, DecodeSource src, int depth);
}

internal sealed class NullDecoder : ValueDecoder
{
    public static readonly NullDecoder Instance = new();

    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth) => AvroValue.Null;
}

internal sealed class BooleanDecoder : ValueDecoder
{
    public static readonly BooleanDecoder Instance = new();

    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth) => AvroValue.FromBoolean(r.ReadBoolean());
}

internal sealed class IntDecoder : ValueDecoder
{
    public static readonly IntDecoder Instance = new();

    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth) => AvroValue.FromInt(r.ReadInt());
}

internal sealed class LongDecoder : ValueDecoder
{
    public static readonly LongDecoder Instance = new();

    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth) => AvroValue.FromLong(r.ReadLong());
}

internal sealed class FloatDecoder : ValueDecoder
{
    public static readonly FloatDecoder Instance = new();

    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth) => AvroValue.FromFloat(r.ReadFloat());
}

internal sealed class DoubleDecoder : ValueDecoder
{
    public static readonly DoubleDecoder Instance = new();

    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth) => AvroValue.FromDouble(r.ReadDouble());
}

internal sealed class StringDecoder : ValueDecoder
{
    public static readonly StringDecoder Instance = new();

    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth) => AvroValue.FromString(r.ReadString());
}

/// <summary>Bytes are returned as a slice of the source array: no copy.</summary>
internal sealed class BytesDecoder : ValueDecoder
{
    public static readonly BytesDecoder Instance = new();

    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth)
    {
        var (start, length) = r.ReadBytesRange();
        return AvroValue.FromBytes(src.Array, src.Offset + start, length);
    }
}

internal sealed class FixedDecoder(int size) : ValueDecoder
{
    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth)
    {
        var start = r.Position;
        r.ReadFixed(size);
        return AvroValue.FromFixed(src.Array, src.Offset + start, size);
    }
}

/// <summary>A writer value promoted to a wider reader type (int->long/float/double, long->float/double, float->double, string<->bytes).</summary>
internal sealed class PromoteDecoder(AvroType from, AvroType to) : ValueDecoder
{
    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth)
    {
        switch (from)
        {
            case AvroType.Int:
            case AvroType.Long:
                var l = from == AvroType.Int ? r.ReadInt() : r.ReadLong();
                return to switch
                {
                    AvroType.Long => AvroValue.FromLong(l),
                    AvroType.Float => AvroValue.FromFloat(l),
                    _ => AvroValue.FromDouble(l),
                };
            case AvroType.Float:
                return AvroValue.FromDouble(r.ReadFloat());
            case AvroType.String when to == AvroType.Bytes:
                return BytesDecoder.Instance.Read(ref r, src, depth);
            default: // bytes -> string
                return AvroValue.FromString(System.Text.Encoding.UTF8.GetString(r.ReadBytes()));
        }
    }
}

internal sealed class EnumDecoder(EnumSchema writer, EnumSchema reader, int[] map) : ValueDecoder
{
    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth)
    {
        var start = r.Position;
        var index = r.ReadLong();
        if (index < 0 || index >= map.Length)
        {
            throw r.Error($"enum index {index} is not a symbol of {writer.FullName} ({map.Length} symbols)", start);
        }

        var mapped = map[index];
        if (mapped < 0)
        {
            throw r.Error($"symbol '{writer.Symbols[(int)index]}' of {writer.FullName} is unknown to the reader and it has no default", start);
        }

        return AvroValue.FromEnum(reader, mapped);
    }
}

internal sealed class ArrayDecoder(ValueDecoder item, int minItemBytes) : ValueDecoder
{
    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth)
    {
        if (depth >= DecodePlan.MaxDepth)
        {
            throw r.Error("data nests too deeply", r.Position);
        }

        var count = r.ReadBlockCount(minItemBytes);
        if (count == 0)
        {
            return AvroValue.FromArray(AvroArray.Empty);
        }

        var items = new List<AvroValue>((int)Math.Min(count, 1024));
        while (count != 0)
        {
            if (items.Count + count > (minItemBytes == 0 ? DecodePlan.MaxZeroByteItems : DecodePlan.MaxItems))
            {
                throw r.Error($"array has more than {(minItemBytes == 0 ? DecodePlan.MaxZeroByteItems : DecodePlan.MaxItems)} items", r.Position);
            }

            for (long i = 0; i < count; i++)
            {
                items.Add(item.Read(ref r, src, depth + 1));
            }

            count = r.ReadBlockCount(minItemBytes);
        }

        return AvroValue.FromArray(new AvroArray([.. items]));
    }
}

internal sealed class MapDecoder(ValueDecoder value) : ValueDecoder
{
    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth)
    {
        if (depth >= DecodePlan.MaxDepth)
        {
            throw r.Error("data nests too deeply", r.Position);
        }

        var entries = new List<KeyValuePair<string, AvroValue>>();
        var count = r.ReadBlockCount(1);
        while (count != 0)
        {
            if (entries.Count + count > DecodePlan.MaxItems)
            {
                throw r.Error($"map has more than {DecodePlan.MaxItems} entries", r.Position);
            }

            for (long i = 0; i < count; i++)
            {
                var key = r.ReadString();
                entries.Add(new(key, value.Read(ref r, src, depth + 1)));
            }

            count = r.ReadBlockCount(1);
        }

        return AvroValue.FromMap(new AvroMap([.. entries]));
    }
}

/// <summary>Writer union: the branch index picks a per-branch plan; branches the reader cannot take fail when met.</summary>
internal sealed class UnionDecoder(ValueDecoder?[] branches, int[] readerBranch, string[] unresolvable) : ValueDecoder
{
    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth)
    {
        var start = r.Position;
        var index = r.ReadLong();
        if (index < 0 || index >= branches.Length)
        {
            throw r.Error($"union branch {index} does not exist (the union has {branches.Length})", start);
        }

        var decoder = branches[index] ?? throw r.Error(unresolvable[index], start);
        var value = decoder.Read(ref r, src, depth + 1);
        return readerBranch[index] >= 0 ? value.InBranch(readerBranch[index]) : value;
    }
}

/// <summary>A non-union writer value read into a reader union: decoded, then marked with the reader branch.</summary>
internal sealed class IntoUnionDecoder(ValueDecoder inner, int branch) : ValueDecoder
{
    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth) => inner.Read(ref r, src, depth).InBranch(branch);
}

internal sealed class RecordDecoder : ValueDecoder
{
    private Step[] _steps = [];
    private (int Index, AvroValue Value)[] _defaults = [];
    private string[] _names = [];

    public RecordDecoder(RecordSchema reader) => Reader = reader;

    public RecordSchema Reader { get; }

    internal readonly record struct Step(ValueDecoder? Decoder, int ReaderIndex, AvroSchema? Skip, string Name);

    internal void Complete(Step[] steps, (int Index, AvroValue Value)[] defaults)
    {
        _steps = steps;
        _defaults = defaults;
        _names = [.. steps.Select(s => s.Name)];
    }

    public override AvroValue Read(ref AvroReader r, DecodeSource src, int depth)
    {
        if (depth >= DecodePlan.MaxDepth)
        {
            throw r.Error("data nests too deeply", r.Position);
        }

        var values = new AvroValue[Reader.Fields.Count];
        var steps = _steps;
        var i = 0;
        try
        {
            for (; i < steps.Length; i++)
            {
                ref readonly var step = ref steps[i];
                if (step.Decoder is { } decoder)
                {
                    values[step.ReaderIndex] = decoder.Read(ref r, src, depth + 1);
                }
                else
                {
                    r.Skip(step.Skip!, depth + 1);
                }
            }
        }
        catch (AvroDecodeException e)
        {
            throw e.Within(_names[i]);
        }

        foreach (var (index, value) in _defaults)
        {
            values[index] = value;
        }

        return AvroValue.FromRecord(new AvroRecord(Reader, values));
    }
}
