using System.Globalization;
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Avro.Tests;

/// <summary>Generates random (schema, value) pairs from a seed, for property tests driven by FsCheck.</summary>
internal sealed class RandomSchemas(int seed)
{
    private readonly Random _random = new(seed);
    private int _names;

    public AvroSchema Schema(int depth = 0)
    {
        var choice = _random.Next(depth >= 3 ? 8 : 14);
        return choice switch
        {
            < 8 => PrimitiveSchema.Of((AvroType)choice),
            8 => Record(depth),
            9 => new EnumSchema($"ns.E{_names++}", [.. Enumerable.Range(0, 1 + _random.Next(5)).Select(i => $"S{i}")]),
            10 => new FixedSchema($"ns.F{_names++}", _random.Next(0, 20)),
            11 => new ArraySchema(Schema(depth + 1)),
            12 => new MapSchema(Schema(depth + 1)),
            _ => Union(depth),
        };
    }

    public AvroValue Value(AvroSchema schema) => schema switch
    {
        RecordSchema r => AvroValue.FromRecord(new AvroRecord(r, [.. r.Fields.Select(f => Value(f.Schema))])),
        EnumSchema e => AvroValue.FromEnum(e, _random.Next(e.Symbols.Count)),
        FixedSchema f => AvroValue.FromFixed(Bytes(f.Size), 0, f.Size),
        ArraySchema a => AvroValue.FromArray(new AvroArray([.. Enumerable.Range(0, _random.Next(4)).Select(_ => Value(a.Items))])),
        MapSchema m => AvroValue.FromMap(new AvroMap([.. Enumerable.Range(0, _random.Next(4)).Select(i => new KeyValuePair<string, AvroValue>($"k{i}", Value(m.Values)))])),
        UnionSchema u => Branch(u),
        _ => schema.Type switch
        {
            AvroType.Null => AvroValue.Null,
            AvroType.Boolean => AvroValue.FromBoolean(_random.Next(2) == 1),
            AvroType.Int => AvroValue.FromInt(_random.Next(4) == 0 ? int.MinValue + _random.Next(3) : _random.Next(int.MinValue, int.MaxValue)),
            AvroType.Long => AvroValue.FromLong(_random.NextInt64(long.MinValue, long.MaxValue)),
            AvroType.Float => AvroValue.FromFloat(_random.Next(5) == 0 ? float.NaN : (float)((_random.NextDouble() - 0.5) * 1e6)),
            AvroType.Double => AvroValue.FromDouble(_random.Next(5) == 0 ? double.NegativeInfinity : (_random.NextDouble() - 0.5) * 1e300),
            AvroType.Bytes => AvroValue.FromBytes(Bytes(_random.Next(40))),
            _ => AvroValue.FromString(new string([.. Enumerable.Range(0, _random.Next(12)).Select(_ => (char)_random.Next(0x20, 0x7ff))]).Replace("\ud800", "x", StringComparison.Ordinal)),
        },
    };

    private AvroValue Branch(UnionSchema u)
    {
        var i = _random.Next(u.Branches.Count);
        return Value(u.Branches[i]).InBranch(i);
    }

    private RecordSchema Record(int depth)
    {
        var r = new RecordSchema($"ns.R{_names++}");
        r.SetFields([.. Enumerable.Range(0, _random.Next(6)).Select(i => new Field(string.Create(CultureInfo.InvariantCulture, $"f{i}"), Schema(depth + 1), i))]);
        return r;
    }

    private UnionSchema Union(int depth)
    {
        var branches = new List<AvroSchema>();
        var seen = new HashSet<string>();
        for (var i = 0; i < 1 + _random.Next(4); i++)
        {
            var s = Schema(depth + 1);
            var key = s is NamedSchema n ? n.FullName : s.Type.ToString();
            if (s.Type != AvroType.Union && seen.Add(key))
            {
                branches.Add(s);
            }
        }

        return branches.Count == 0 ? new UnionSchema([PrimitiveSchema.Of(AvroType.Null)]) : new UnionSchema(branches);
    }

    private byte[] Bytes(int n)
    {
        var b = new byte[n];
        _random.NextBytes(b);
        return b;
    }
}
