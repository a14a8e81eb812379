// Writes schemas back to JSON: the full form (docs, defaults, aliases kept) and the Parsing Canonical Form
// of the Avro specification, whose 64-bit Rabin fingerprint identifies a schema independent of formatting.
using System.Text;
using System.Text.Json;

namespace Broker.Avro.Schema;

public static class SchemaWriter
{
    /// <summary>Full JSON: a named type is defined at its first occurrence and referenced by name after.</summary>
    public static string ToJson(AvroSchema schema)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            Write(w, schema, new HashSet<string>(StringComparer.Ordinal), canonical: false);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The Parsing Canonical Form (names fully qualified, only type-defining attributes, no spaces).</summary>
    public static string CanonicalForm(AvroSchema schema)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(w, schema, new HashSet<string>(StringComparer.Ordinal), canonical: true);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The CRC-64-AVRO (Rabin) fingerprint of the canonical form.</summary>
    public static ulong Fingerprint(AvroSchema schema) => Rabin.Fingerprint(Encoding.UTF8.GetBytes(CanonicalForm(schema)));

    private static void Write(Utf8JsonWriter w, AvroSchema s, HashSet<string> defined, bool canonical)
    {
        switch (s)
        {
            case PrimitiveSchema p:
                if (canonical || p.LogicalType is null)
                {
                    w.WriteStringValue(TypeName(p.Type));
                    return;
                }

                w.WriteStartObject();
                w.WriteString("type", TypeName(p.Type));
                w.WriteString("logicalType", p.LogicalType);
                if (p.Precision is { } precision)
                {
                    w.WriteNumber("precision", precision);
                }

                if (p.Scale is { } scale)
                {
                    w.WriteNumber("scale", scale);
                }

                w.WriteEndObject();
                return;
            case NamedSchema n when !defined.Add(n.FullName):
                w.WriteStringValue(n.FullName);
                return;
            case RecordSchema r:
                w.WriteStartObject();
                w.WriteString("name", r.FullName);
                w.WriteString("type", "record");
                if (!canonical && r.Doc is not null)
                {
                    w.WriteString("doc", r.Doc);
                }

                WriteAliases(w, r.Aliases, canonical);
                w.WriteStartArray("fields");
                foreach (var f in r.Fields)
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WritePropertyName("type");
                    Write(w, f.Schema, defined, canonical);
                    if (!canonical)
                    {
                        if (f.Doc is not null)
                        {
                            w.WriteString("doc", f.Doc);
                        }

                        if (f.Default is { } d)
                        {
                            w.WritePropertyName("default");
                            d.WriteTo(w);
                        }

                        WriteAliases(w, f.Aliases, canonical);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
                return;
            case EnumSchema e:
                w.WriteStartObject();
                w.WriteString("name", e.FullName);
                w.WriteString("type", "enum");
                w.WriteStartArray("symbols");
                foreach (var symbol in e.Symbols)
                {
                    w.WriteStringValue(symbol);
                }

                w.WriteEndArray();
                if (!canonical && e.Default is not null)
                {
                    w.WriteString("default", e.Default);
                }

                WriteAliases(w, e.Aliases, canonical);
                w.WriteEndObject();
                return;
            case FixedSchema x:
                w.WriteStartObject();
                w.WriteString("name", x.FullName);
                w.WriteString("type", "fixed");
                w.WriteNumber("size", x.Size);
                if (!canonical && x.LogicalType is not null)
                {
                    w.WriteString("logicalType", x.LogicalType);
                }

                WriteAliases(w, x.Aliases, canonical);
                w.WriteEndObject();
                return;
            case ArraySchema a:
                w.WriteStartObject();
                w.WriteString("type", "array");
                w.WritePropertyName("items");
                Write(w, a.Items, defined, canonical);
                w.WriteEndObject();
                return;
            case MapSchema m:
                w.WriteStartObject();
                w.WriteString("type", "map");
                w.WritePropertyName("values");
                Write(w, m.Values, defined, canonical);
                w.WriteEndObject();
                return;
            case UnionSchema u:
                w.WriteStartArray();
                foreach (var b in u.Branches)
                {
                    Write(w, b, defined, canonical);
                }

                w.WriteEndArray();
                return;
            default:
                throw new AvroSchemaException($"Cannot write schema of type {s.Type}.");
        }
    }

    private static void WriteAliases(Utf8JsonWriter w, IReadOnlyList<string> aliases, bool canonical)
    {
        if (canonical || aliases.Count == 0)
        {
            return;
        }

        w.WriteStartArray("aliases");
        foreach (var a in aliases)
        {
            w.WriteStringValue(a);
        }

        w.WriteEndArray();
    }

    internal static string TypeName(AvroType t) => t switch
    {
        AvroType.Null => "null",
        AvroType.Boolean => "boolean",
        AvroType.Int => "int",
        AvroType.Long => "long",
        AvroType.Float => "float",
        AvroType.Double => "double",
        AvroType.Bytes => "bytes",
        AvroType.String => "string",
        _ => t.ToString().ToLowerInvariant(),
    };
}

/// <summary>The CRC-64-AVRO fingerprint (Avro specification, "Schema Fingerprints").</summary>
public static class Rabin
{
    private const ulong Empty = 0xc15d213aa4d7a795UL;
    private static readonly ulong[] Table = BuildTable();

    public static ulong Fingerprint(ReadOnlySpan<byte> data)
    {
        var fp = Empty;
        foreach (var b in data)
        {
            fp = (fp >> 8) ^ Table[(int)(fp ^ b) & 0xff];
        }

        return fp;
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var fp = (ulong)i;
            for (var j = 0; j < 8; j++)
            {
                fp = (fp >> 1) ^ (Empty & (0 - (fp & 1)));
            }

            table[i] = fp;
        }

        return table;
    }
}
