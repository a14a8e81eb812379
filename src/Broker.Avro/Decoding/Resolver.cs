// Builds the decoder tree for a (writer, reader) schema pair by the rules of Avro schema resolution. Record
// pairs are memoized so recursive schemas produce a finite, cyclic plan.
using System.Text.Json;
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Avro.Decoding;

internal sealed class Resolver
{
    private readonly Dictionary<(RecordSchema, RecordSchema), RecordDecoder> _records = [];

    public static ValueDecoder Resolve(AvroSchema writer, AvroSchema reader) => new Resolver().Build(writer, reader, "");

    /// <summary>Whether data of <paramref name="writer"/> can be read as <paramref name="reader"/> (shallow, by type and name).</summary>
    public static bool Matches(AvroSchema writer, AvroSchema reader)
    {
        if (writer.Type == reader.Type)
        {
            return writer switch
            {
                NamedSchema w => NamesMatch(w, (NamedSchema)reader)
                    && (w is not FixedSchema fw || fw.Size == ((FixedSchema)reader).Size),
                _ => true,
            };
        }

        return Promotable(writer.Type, reader.Type);
    }

    private ValueDecoder Build(AvroSchema writer, AvroSchema reader, string path)
    {
        if (writer is UnionSchema writerUnion)
        {
            return BuildWriterUnion(writerUnion, reader, path);
        }

        if (reader is UnionSchema readerUnion)
        {
            var branch = PickBranch(writer, readerUnion);
            if (branch < 0)
            {
                throw new AvroSchemaException($"{Where(path)}writer type {Describe(writer)} matches no branch of the reader union.");
            }

            return new IntoUnionDecoder(Build(writer, readerUnion.Branches[branch], path), branch);
        }

        if (writer.Type != reader.Type)
        {
            return Promotable(writer.Type, reader.Type)
                ? new PromoteDecoder(writer.Type, reader.Type)
                : throw new AvroSchemaException($"{Where(path)}writer type {Describe(writer)} cannot be read as {Describe(reader)}.");
        }

        switch (writer)
        {
            case PrimitiveSchema:
                return writer.Type switch
                {
                    AvroType.Null => NullDecoder.Instance,
                    AvroType.Boolean => BooleanDecoder.Instance,
                    AvroType.Int => IntDecoder.Instance,
                    AvroType.Long => LongDecoder.Instance,
                    AvroType.Float => FloatDecoder.Instance,
                    AvroType.Double => DoubleDecoder.Instance,
                    AvroType.Bytes => BytesDecoder.Instance,
                    _ => StringDecoder.Instance,
                };
            case RecordSchema w:
                return BuildRecord(w, (RecordSchema)reader, path);
            case EnumSchema w:
                {
                    var r = (EnumSchema)reader;
                    CheckNames(w, r, path);
                    var map = new int[w.Symbols.Count];
                    var fallback = r.Default is null ? -1 : r.IndexOf(r.Default);
                    for (var i = 0; i < map.Length; i++)
                    {
                        var j = r.IndexOf(w.Symbols[i]);
                        map[i] = j >= 0 ? j : fallback;
                    }

                    return new EnumDecoder(w, r, map);
                }

            case FixedSchema w:
                {
                    var r = (FixedSchema)reader;
                    CheckNames(w, r, path);
                    return w.Size == r.Size
                        ? new FixedDecoder(w.Size)
                        : throw new AvroSchemaException($"{Where(path)}fixed {w.FullName} has size {w.Size}, the reader's {r.Size}.");
                }

            case ArraySchema w:
                return new ArrayDecoder(Build(w.Items, ((ArraySchema)reader).Items, path + "[]"), DecodePlan.MinBytes(w.Items));
            case MapSchema w:
                return new MapDecoder(Build(w.Values, ((MapSchema)reader).Values, path + "{}"));
            default:
                throw new AvroSchemaException($"{Where(path)}cannot resolve {Describe(writer)}.");
        }
    }

    private ValueDecoder BuildWriterUnion(UnionSchema writer, AvroSchema reader, string path)
    {
        var n = writer.Branches.Count;
        var decoders = new ValueDecoder?[n];
        var readerBranch = new int[n];
        var errors = new string[n];
        for (var i = 0; i < n; i++)
        {
            var wb = writer.Branches[i];
            readerBranch[i] = -1;
            try
            {
                if (reader is UnionSchema ru)
                {
                    var j = PickBranch(wb, ru);
                    if (j < 0)
                    {
                        throw new AvroSchemaException($"{Where(path)}writer union branch {Describe(wb)} matches no branch of the reader union.");
                    }

                    readerBranch[i] = j;
                    decoders[i] = Build(wb, ru.Branches[j], path);
                }
                else
                {
                    decoders[i] = Build(wb, reader, path);
                }
            }
            catch (AvroSchemaException e)
            {
                // Resolution of one branch failing is an error only if data uses that branch.
                errors[i] = e.Message;
            }
        }

        return new UnionDecoder(decoders, readerBranch, errors);
    }

    private RecordDecoder BuildRecord(RecordSchema writer, RecordSchema reader, string path)
    {
        if (_records.TryGetValue((writer, reader), out var existing))
        {
            return existing;
        }

        CheckNames(writer, reader, path);
        var decoder = new RecordDecoder(reader);
        _records[(writer, reader)] = decoder;

        var steps = new List<RecordDecoder.Step>();
        var filled = new bool[reader.Fields.Count];
        foreach (var wf in writer.Fields)
        {
            var rf = reader.GetField(wf.Name) ?? reader.Fields.FirstOrDefault(f => f.Aliases.Contains(wf.Name));
            var fieldPath = path.Length == 0 ? wf.Name : $"{path}.{wf.Name}";
            if (rf is null)
            {
                steps.Add(new RecordDecoder.Step(null, -1, wf.Schema, wf.Name));
                continue;
            }

            filled[rf.Position] = true;
            steps.Add(new RecordDecoder.Step(Build(wf.Schema, rf.Schema, fieldPath), rf.Position, null, wf.Name));
        }

        var defaults = new List<(int, AvroValue)>();
        foreach (var rf in reader.Fields)
        {
            if (filled[rf.Position])
            {
                continue;
            }

            if (rf.Default is not { } d)
            {
                throw new AvroSchemaException(
                    $"{Where(path)}reader field {reader.FullName}.{rf.Name} is not in the writer schema and has no default.");
            }

            defaults.Add((rf.Position, DefaultValue.From(d, rf.Schema, $"{reader.FullName}.{rf.Name}")));
        }

        decoder.Complete([.. steps], [.. defaults]);
        return decoder;
    }

    /// <summary>The reader branch for a writer schema: an exact type match first, then a promotion.</summary>
    private static int PickBranch(AvroSchema writer, UnionSchema reader)
    {
        for (var i = 0; i < reader.Branches.Count; i++)
        {
            var b = reader.Branches[i];
            if (b.Type == writer.Type && Matches(writer, b))
            {
                return i;
            }
        }

        for (var i = 0; i < reader.Branches.Count; i++)
        {
            if (Promotable(writer.Type, reader.Branches[i].Type))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool Promotable(AvroType from, AvroType to) => (from, to) switch
    {
        (AvroType.Int, AvroType.Long or AvroType.Float or AvroType.Double) => true,
        (AvroType.Long, AvroType.Float or AvroType.Double) => true,
        (AvroType.Float, AvroType.Double) => true,
        (AvroType.String, AvroType.Bytes) => true,
        (AvroType.Bytes, AvroType.String) => true,
        _ => false,
    };

    /// <summary>
    /// Full names match, or a reader alias names the writer. As a documented leniency, unqualified names also match
    /// (survey schemas have moved types between namespaces while keeping their meaning).
    /// </summary>
    private static bool NamesMatch(NamedSchema writer, NamedSchema reader) =>
        writer.FullName == reader.FullName || reader.Aliases.Contains(writer.FullName) || writer.Name == reader.Name;

    private static void CheckNames(NamedSchema writer, NamedSchema reader, string path)
    {
        if (!NamesMatch(writer, reader))
        {
            throw new AvroSchemaException($"{Where(path)}writer type {writer.FullName} does not match reader type {reader.FullName}.");
        }
    }

    private static string Where(string path) => path.Length == 0 ? string.Empty : $"{path}: ";

    private static string Describe(AvroSchema s) => s is NamedSchema n ? n.FullName : SchemaWriter.TypeName(s.Type);
}

/// <summary>Turns a field default (JSON) into a value of the field's schema, per the Avro specification.</summary>
internal static class DefaultValue
{
    public static AvroValue From(JsonElement json, AvroSchema schema, string where)
    {
        try
        {
            return Convert(json, schema);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new AvroSchemaException($"Default of {where} does not fit its schema: {e.Message}", e);
        }
    }

    private static AvroValue Convert(JsonElement json, AvroSchema schema)
    {
        switch (schema)
        {
            case UnionSchema u:
                // The default belongs to the first branch (Avro 1.11); accept any branch it fits, as writers do.
                for (var i = 0; i < u.Branches.Count; i++)
                {
                    try
                    {
                        return Convert(json, u.Branches[i]).InBranch(i);
                    }
                    catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
                    {
                    }
                }

                throw new FormatException("fits no branch of the union");
            case RecordSchema r:
                var values = new AvroValue[r.Fields.Count];
                foreach (var f in r.Fields)
                {
                    values[f.Position] = json.TryGetProperty(f.Name, out var v) ? Convert(v, f.Schema)
                        : f.Default is { } d ? Convert(d, f.Schema)
                        : throw new KeyNotFoundException($"no value for {f.Name}");
                }

                return AvroValue.FromRecord(new AvroRecord(r, values));
            case EnumSchema e:
                var index = e.IndexOf(json.GetString() ?? string.Empty);
                return index >= 0 ? AvroValue.FromEnum(e, index) : throw new FormatException($"'{json}' is not a symbol");
            case FixedSchema x:
                var fixedBytes = Latin1(json);
                return fixedBytes.Length == x.Size ? AvroValue.FromFixed(fixedBytes, 0, x.Size) : throw new FormatException("wrong size");
            case ArraySchema a:
                return AvroValue.FromArray(new AvroArray([.. json.EnumerateArray().Select(i => Convert(i, a.Items))]));
            case MapSchema m:
                return AvroValue.FromMap(new AvroMap([.. json.EnumerateObject().Select(p => new KeyValuePair<string, AvroValue>(p.Name, Convert(p.Value, m.Values)))]));
        }

        return schema.Type switch
        {
            AvroType.Null when json.ValueKind == JsonValueKind.Null => AvroValue.Null,
            AvroType.Boolean => AvroValue.FromBoolean(json.GetBoolean()),
            AvroType.Int => AvroValue.FromInt(json.GetInt32()),
            AvroType.Long => AvroValue.FromLong(json.GetInt64()),
            AvroType.Float => AvroValue.FromFloat(Number(json)),
            AvroType.Double => AvroValue.FromDouble(NumberD(json)),
            AvroType.String when json.ValueKind == JsonValueKind.String => AvroValue.FromString(json.GetString()!),
            AvroType.Bytes => AvroValue.FromBytes(Latin1(json)),
            _ => throw new FormatException($"{json.ValueKind} is not a {schema.Type}"),
        };
    }

    // Some writers put "NaN" or "Infinity" as strings where JSON has no such numbers.
    private static float Number(JsonElement json) => (float)NumberD(json);

    private static double NumberD(JsonElement json) => json.ValueKind == JsonValueKind.String
        ? double.Parse(json.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : json.GetDouble();

    private static byte[] Latin1(JsonElement json) =>
        json.ValueKind == JsonValueKind.String
            ? [.. json.GetString()!.Select(c => c <= 0xff ? (byte)c : throw new FormatException("bytes default has a character above U+00FF"))]
            : throw new FormatException("bytes default must be a string");
}
