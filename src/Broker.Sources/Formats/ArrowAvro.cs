// Arrow to Avro, for Parquet read as Arrow record batches (ParquetSharp's Arrow reader): the Avro schema of a
// batch's columns, and each row written as Avro binary straight from Arrow's typed buffers: no boxed value, no
// dictionary, no intermediate Avro object (a deep-field LSSTCam alert carries ~50,000 history values). Every field is
// nullable (["null", T]): Parquet columns are, and Fink's writers leave nulls where the survey had none. Record
// names are the field path (ztf.alert.candidate, ...), unique as Avro requires.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;
using Broker.Avro.Binary;
using Broker.Avro.Schema;
using Field = Apache.Arrow.Field;

namespace Broker.Sources.Formats;

internal static class ArrowAvro
{
    /// <summary>An Avro record schema named <paramref name="fullName"/> with one nullable field per Arrow field.</summary>
    public static JsonObject Record(string fullName, IEnumerable<Field> fields)
    {
        var list = new JsonArray();
        foreach (var field in fields)
        {
            list.Add(FieldOf(field.Name, TypeOf(field.DataType, fullName + "." + AvroName(field.Name))));
        }

        return new JsonObject { ["type"] = "record", ["name"] = fullName, ["fields"] = list };
    }

    /// <summary>Avro names are [A-Za-z_][A-Za-z0-9_]*; other characters become '_'.</summary>
    public static string AvroName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (sb.Length == 0 || char.IsAsciiDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }

    /// <summary>How many Parquet leaf columns an Arrow field spans (ParquetSharp selects columns by leaf index).</summary>
    public static int Leaves(IArrowType type) => type switch
    {
        StructType s => s.Fields.Sum(f => Leaves(f.DataType)),
        MapType m => Leaves(m.KeyField.DataType) + Leaves(m.ValueField.DataType),
        ListType l => Leaves(l.ValueDataType),
        LargeListType l => Leaves(l.ValueDataType),
        FixedSizeListType l => Leaves(l.ValueDataType),
        _ => 1,
    };

    private static JsonObject FieldOf(string name, JsonNode type) =>
        new() { ["name"] = AvroName(name), ["type"] = new JsonArray("null", type), ["default"] = null };

    private static JsonNode TypeOf(IArrowType type, string path) => type switch
    {
        StructType s => new JsonObject
        {
            ["type"] = "record",
            ["name"] = path,
            ["fields"] = new JsonArray([.. s.Fields.Select(f => (JsonNode)FieldOf(f.Name, TypeOf(f.DataType, path + "." + AvroName(f.Name))))]),
        },
        MapType m => new JsonObject { ["type"] = "map", ["values"] = new JsonArray("null", TypeOf(m.ValueField.DataType, path + ".value")) },
        ListType l => Items(TypeOf(l.ValueDataType, path + ".item")),
        LargeListType l => Items(TypeOf(l.ValueDataType, path + ".item")),
        FixedSizeListType l => Items(TypeOf(l.ValueDataType, path + ".item")),
        DictionaryType d => TypeOf(d.ValueType, path),
        BooleanType => "boolean",
        Int8Type or Int16Type or Int32Type or UInt8Type or UInt16Type => "int",
        Int64Type or UInt32Type or UInt64Type => "long",
        HalfFloatType or FloatType => "float",
        DoubleType or Decimal128Type or Decimal256Type => "double",
        BinaryType or LargeBinaryType or FixedSizeBinaryType => "bytes",
        // Strings, and what no survey's alert record holds (dates, times, timestamps): kept as text.
        _ => "string",
    };

    private static JsonObject Items(JsonNode items) => new() { ["type"] = "array", ["items"] = new JsonArray("null", items) };

    /// <summary>Writes row <paramref name="index"/> of <paramref name="array"/> as <paramref name="schema"/> (a nullable union).</summary>
    public static void Write(AvroWriter w, AvroSchema schema, IArrowArray array, int index)
    {
        var union = (UnionSchema)schema;
        if (array.IsNull(index))
        {
            w.WriteLong(union.NullBranch);
            return;
        }

        var branch = union.NullBranch == 0 ? 1 : 0;
        w.WriteLong(branch);
        WriteValue(w, union.Branches[branch], array, index);
    }

    private static void WriteValue(AvroWriter w, AvroSchema schema, IArrowArray array, int index)
    {
        switch (array)
        {
            case StructArray s:
                {
                    // A struct's children are not sliced with it: its own offset applies to them.
                    var record = (RecordSchema)schema;
                    var fields = s.Fields;
                    for (var f = 0; f < fields.Count; f++)
                    {
                        Write(w, record.Fields[f].Schema, fields[f], index + s.Offset);
                    }

                    return;
                }

            case MapArray m:
                {
                    var values = ((MapSchema)schema).Values;
                    var (start, end) = (m.ValueOffsets[index], m.ValueOffsets[index + 1]);
                    if (end > start)
                    {
                        w.WriteLong(end - start);
                        for (var i = start; i < end; i++)
                        {
                            w.WriteString(Text(m.Keys, i));
                            Write(w, values, m.Values, i);
                        }
                    }

                    w.WriteLong(0);
                    return;
                }

            case ListArray l:
                {
                    var items = ((ArraySchema)schema).Items;
                    var (start, end) = (l.ValueOffsets[index], l.ValueOffsets[index + 1]);
                    if (end > start)
                    {
                        w.WriteLong(end - start);
                        for (var i = start; i < end; i++)
                        {
                            Write(w, items, l.Values, i);
                        }
                    }

                    w.WriteLong(0);
                    return;
                }

            case DoubleArray d:
                w.WriteDouble(d.GetValue(index)!.Value);
                return;
            case FloatArray f:
                w.WriteFloat(f.GetValue(index)!.Value);
                return;
            case Int64Array l:
                w.WriteLong(l.GetValue(index)!.Value);
                return;
            case Int32Array i32:
                w.WriteLong(i32.GetValue(index)!.Value);
                return;
            case StringArray str:
                w.WriteBytes(str.GetBytes(index));
                return;
            case BinaryArray bin:
                w.WriteBytes(bin.GetBytes(index));
                return;
            case BooleanArray b:
                w.WriteBoolean(b.GetValue(index)!.Value);
                return;
            case Int16Array i16:
                w.WriteLong(i16.GetValue(index)!.Value);
                return;
            case Int8Array i8:
                w.WriteLong(i8.GetValue(index)!.Value);
                return;
            case UInt8Array u8:
                w.WriteLong(u8.GetValue(index)!.Value);
                return;
            case UInt16Array u16:
                w.WriteLong(u16.GetValue(index)!.Value);
                return;
            case UInt32Array u32:
                w.WriteLong(u32.GetValue(index)!.Value);
                return;
            case UInt64Array u64:
                w.WriteLong((long)u64.GetValue(index)!.Value);
                return;
        }

        // The rare rest (decimals, dates, timestamps, dictionary-encoded columns) through the boxed accessor.
        var text = Text(array, index);
        if (schema.Type == AvroType.Double)
        {
            w.WriteDouble(double.Parse(text, CultureInfo.InvariantCulture));
        }
        else
        {
            w.WriteString(text);
        }
    }

    private static string Text(IArrowArray array, int index) => array switch
    {
        StringArray s => s.GetString(index),
        DictionaryArray d => Text(d.Dictionary, d.Indices switch
        {
            Int32Array i => i.GetValue(index)!.Value,
            Int16Array i => i.GetValue(index)!.Value,
            Int8Array i => i.GetValue(index)!.Value,
            Int64Array i => (int)i.GetValue(index)!.Value,
            _ => throw new NotSupportedException($"dictionary indices of type {d.Indices.Data.DataType.Name}"),
        }),
        Decimal128Array m => m.GetValue(index)!.Value.ToString(CultureInfo.InvariantCulture),
        Date32Array d => d.GetDateTime(index)!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimestampArray t => t.GetTimestamp(index)!.Value.ToString("O", CultureInfo.InvariantCulture),
        _ => Convert.ToString(ScalarOf(array, index), CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static object? ScalarOf(IArrowArray array, int index) => array switch
    {
        Int64Array a => a.GetValue(index),
        Int32Array a => a.GetValue(index),
        DoubleArray a => a.GetValue(index),
        _ => throw new NotSupportedException($"Arrow type {array.Data.DataType.Name} in an alert column"),
    };
}
