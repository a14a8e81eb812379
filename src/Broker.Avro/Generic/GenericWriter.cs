// Encodes AvroValues by a schema: the writer side of round trips, and of outputs the broker builds itself.
using Broker.Avro.Binary;
using Broker.Avro.Schema;

namespace Broker.Avro.Generic;

public static class GenericWriter
{
    /// <summary>Encodes <paramref name="value"/> as <paramref name="schema"/> to a new array.</summary>
    public static byte[] Encode(AvroSchema schema, AvroValue value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        Write(new AvroWriter(buffer), schema, value);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(AvroWriter w, AvroSchema schema, AvroValue value)
    {
        switch (schema)
        {
            case UnionSchema u:
                var branch = value.Branch >= 0 && value.Branch < u.Branches.Count && Fits(u.Branches[value.Branch], value)
                    ? value.Branch
                    : FindBranch(u, value);
                w.WriteLong(branch);
                Write(w, u.Branches[branch], value);
                return;
            case RecordSchema r:
                var record = value.AsRecord();
                foreach (var f in r.Fields)
                {
                    var fieldValue = record.TryGet(f.Name, out var v) ? v : throw new InvalidOperationException($"Record value has no field {f.Name}.");
                    Write(w, f.Schema, fieldValue);
                }

                return;
            case EnumSchema e:
                var index = e.IndexOf(value.AsEnumSymbol());
                w.WriteLong(index >= 0 ? index : throw new InvalidOperationException($"'{value.AsEnumSymbol()}' is not a symbol of {e.FullName}."));
                return;
            case FixedSchema x:
                var bytes = value.AsBytes().Span;
                if (bytes.Length != x.Size)
                {
                    throw new InvalidOperationException($"Fixed {x.FullName} needs {x.Size} bytes, got {bytes.Length}.");
                }

                w.WriteFixed(bytes);
                return;
            case ArraySchema a:
                var array = value.AsArray();
                if (array.Count > 0)
                {
                    w.WriteLong(array.Count);
                    foreach (var item in array.Items)
                    {
                        Write(w, a.Items, item);
                    }
                }

                w.WriteLong(0);
                return;
            case MapSchema m:
                var map = value.AsMap();
                if (map.Count > 0)
                {
                    w.WriteLong(map.Count);
                    foreach (var (key, item) in map.Entries)
                    {
                        w.WriteString(key);
                        Write(w, m.Values, item);
                    }
                }

                w.WriteLong(0);
                return;
        }

        switch (schema.Type)
        {
            case AvroType.Null:
                if (!value.IsNull)
                {
                    throw new InvalidOperationException($"Expected null, got {value.Kind}.");
                }

                return;
            case AvroType.Boolean:
                w.WriteBoolean(value.AsBoolean());
                return;
            case AvroType.Int:
                w.WriteInt(value.AsInt());
                return;
            case AvroType.Long:
                w.WriteLong(value.AsLong());
                return;
            case AvroType.Float:
                w.WriteFloat(value.AsFloat());
                return;
            case AvroType.Double:
                w.WriteDouble(value.AsDouble());
                return;
            case AvroType.Bytes:
                w.WriteBytes(value.AsBytes().Span);
                return;
            case AvroType.String:
                w.WriteString(value.AsString());
                return;
        }

        throw new InvalidOperationException($"Cannot write {schema.Type}.");
    }

    private static int FindBranch(UnionSchema u, AvroValue value)
    {
        for (var i = 0; i < u.Branches.Count; i++)
        {
            if (Fits(u.Branches[i], value))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"A {value.Kind} value fits no branch of the union.");
    }

    private static bool Fits(AvroSchema branch, AvroValue value) => branch switch
    {
        RecordSchema r => value.Kind == AvroType.Record && value.AsRecord().Schema.FullName == r.FullName,
        EnumSchema e => value.Kind == AvroType.Enum && value.EnumSchema.FullName == e.FullName,
        FixedSchema x => value.Kind is AvroType.Fixed && value.AsBytes().Length == x.Size,
        _ => branch.Type == value.Kind,
    };
}
