// Parses Avro schema JSON into the schema model. Named types are registered in a SchemaNames table so later
// references (by full name or by name relative to the enclosing namespace) resolve to the same object; one
// table can be shared across several files, as Rubin's schemas split one alert over several .avsc files.
using System.Text.Json;

namespace Broker.Avro.Schema;

/// <summary>The named types known while parsing, by full name.</summary>
public sealed class SchemaNames
{
    private readonly Dictionary<string, NamedSchema> _types = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, NamedSchema> Types => _types;

    public bool TryGet(string fullName, out NamedSchema schema) => _types.TryGetValue(fullName, out schema!);

    internal void Add(NamedSchema schema)
    {
        if (!_types.TryAdd(schema.FullName, schema))
        {
            throw new AvroSchemaException($"The type {schema.FullName} is defined twice.");
        }
    }
}

/// <summary>Avro schema JSON -> <see cref="AvroSchema"/>.</summary>
public static class SchemaParser
{
    private const int MaxDepth = 64;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 256, AllowTrailingCommas = false };

    /// <summary>Parses one schema.</summary>
    public static AvroSchema Parse(string json) => Parse(json, new SchemaNames());

    /// <summary>Parses one schema, resolving and registering named types in <paramref name="names"/>.</summary>
    public static AvroSchema Parse(string json, SchemaNames names)
    {
        ArgumentNullException.ThrowIfNull(names);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new AvroSchemaException($"Schema is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            return Parse(doc.RootElement, names, string.Empty, 0);
        }
    }

    /// <summary>Parses schema JSON given as UTF-8 bytes (as stored in container file headers).</summary>
    public static AvroSchema Parse(ReadOnlySpan<byte> utf8Json) => Parse(System.Text.Encoding.UTF8.GetString(utf8Json));

    private static AvroSchema Parse(JsonElement e, SchemaNames names, string ns, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new AvroSchemaException($"Schema nests deeper than {MaxDepth} levels.");
        }

        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return Named(e.GetString()!, names, ns);
            case JsonValueKind.Array:
                var branches = new List<AvroSchema>();
                foreach (var b in e.EnumerateArray())
                {
                    branches.Add(Parse(b, names, ns, depth + 1));
                }

                CheckUnion(branches);
                return new UnionSchema(branches);
            case JsonValueKind.Object:
                return ParseObject(e, names, ns, depth);
            default:
                throw new AvroSchemaException($"A schema must be a string, an array or an object, not {e.ValueKind}.");
        }
    }

    private static AvroSchema ParseObject(JsonElement e, SchemaNames names, string ns, int depth)
    {
        if (!e.TryGetProperty("type", out var typeElement))
        {
            throw new AvroSchemaException("A schema object has no \"type\".");
        }

        if (typeElement.ValueKind != JsonValueKind.String)
        {
            // {"type": {...}} or {"type": [...]}: a wrapped schema.
            return Parse(typeElement, names, ns, depth + 1);
        }

        var type = typeElement.GetString()!;
        var logical = OptionalString(e, "logicalType");
        switch (type)
        {
            case "record":
            case "error":
                return ParseRecord(e, names, ns, depth);
            case "enum":
                {
                    var (full, space) = FullName(e, ns);
                    if (!e.TryGetProperty("symbols", out var symbolsElement) || symbolsElement.ValueKind != JsonValueKind.Array)
                    {
                        throw new AvroSchemaException($"Enum {full} has no \"symbols\" array.");
                    }

                    var symbols = symbolsElement.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.String
                        ? s.GetString()!
                        : throw new AvroSchemaException($"Enum {full} has a symbol that is not a string.")).ToList();
                    var schema = new EnumSchema(full, symbols, OptionalString(e, "default"), OptionalString(e, "doc"), Aliases(e, space));
                    names.Add(schema);
                    return schema;
                }

            case "fixed":
                {
                    var (full, space) = FullName(e, ns);
                    if (!e.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt32(out var size) || size < 0)
                    {
                        throw new AvroSchemaException($"Fixed {full} needs a non-negative integer \"size\".");
                    }

                    var schema = new FixedSchema(full, size, logical, OptionalString(e, "doc"), Aliases(e, space));
                    names.Add(schema);
                    return schema;
                }

            case "array":
                if (!e.TryGetProperty("items", out var items))
                {
                    throw new AvroSchemaException("An array schema has no \"items\".");
                }

                return new ArraySchema(Parse(items, names, ns, depth + 1));
            case "map":
                if (!e.TryGetProperty("values", out var values))
                {
                    throw new AvroSchemaException("A map schema has no \"values\".");
                }

                return new MapSchema(Parse(values, names, ns, depth + 1));
            default:
                if (Primitive(type) is { } primitive)
                {
                    if (logical is null)
                    {
                        return PrimitiveSchema.Of(primitive);
                    }

                    return new PrimitiveSchema(primitive, logical, OptionalInt(e, "precision"), OptionalInt(e, "scale"));
                }

                return Named(type, names, ns);
        }
    }

    private static RecordSchema ParseRecord(JsonElement e, SchemaNames names, string ns, int depth)
    {
        var (full, space) = FullName(e, ns);
        var record = new RecordSchema(full, OptionalString(e, "doc"), Aliases(e, space));
        names.Add(record); // before the fields, so that fields may refer to the record itself
        if (!e.TryGetProperty("fields", out var fieldsElement) || fieldsElement.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException($"Record {full} has no \"fields\" array.");
        }

        var fields = new List<Field>();
        foreach (var f in fieldsElement.EnumerateArray())
        {
            if (f.ValueKind != JsonValueKind.Object)
            {
                throw new AvroSchemaException($"A field of record {full} is not a JSON object.");
            }

            var name = OptionalString(f, "name") ?? throw new AvroSchemaException($"A field of record {full} has no name.");
            CheckName(name, $"field of {full}");
            if (!f.TryGetProperty("type", out var fieldType))
            {
                throw new AvroSchemaException($"Field {full}.{name} has no type.");
            }

            AvroSchema schema;
            try
            {
                schema = Parse(fieldType, names, space, depth + 1);
            }
            catch (AvroSchemaException ex) when (!ex.Message.StartsWith("Field ", StringComparison.Ordinal))
            {
                throw new AvroSchemaException($"Field {full}.{name}: {ex.Message}", ex);
            }

            JsonElement? defaultValue = f.TryGetProperty("default", out var d) ? d.Clone() : null;
            var aliases = f.TryGetProperty("aliases", out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Select(AliasText).ToList()
                : null;
            fields.Add(new Field(name, schema, fields.Count, defaultValue, OptionalString(f, "doc"), aliases));
        }

        record.SetFields(fields);
        return record;
    }

    private static AvroSchema Named(string name, SchemaNames names, string ns)
    {
        if (Primitive(name) is { } primitive)
        {
            return PrimitiveSchema.Of(primitive);
        }

        if (name.Contains('.', StringComparison.Ordinal) ? names.TryGet(name, out var found)
            : (ns.Length > 0 && names.TryGet($"{ns}.{name}", out found)) || names.TryGet(name, out found))
        {
            return found;
        }

        throw new AvroSchemaException($"Unknown type '{name}'" + (ns.Length > 0 ? $" (in namespace {ns})." : "."));
    }

    private static (string FullName, string Namespace) FullName(JsonElement e, string enclosing)
    {
        var name = OptionalString(e, "name") ?? throw new AvroSchemaException("A named type has no \"name\".");
        string full;
        if (name.Contains('.', StringComparison.Ordinal))
        {
            full = name;
        }
        else
        {
            var space = e.TryGetProperty("namespace", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : enclosing;
            full = space.Length > 0 ? $"{space}.{name}" : name;
        }

        foreach (var part in full.Split('.'))
        {
            CheckName(part, $"type name {full}");
        }

        if (Primitive(full) is not null)
        {
            throw new AvroSchemaException($"'{full}' is a primitive type and cannot be redefined.");
        }

        var dot = full.LastIndexOf('.');
        return (full, dot < 0 ? string.Empty : full[..dot]);
    }

    private static List<string> Aliases(JsonElement e, string ns)
    {
        if (!e.TryGetProperty("aliases", out var a) || a.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return a.EnumerateArray()
            .Select(AliasText)
            .Select(x => x.Contains('.', StringComparison.Ordinal) || ns.Length == 0 ? x : $"{ns}.{x}")
            .ToList();
    }

    private static void CheckUnion(List<AvroSchema> branches)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var b in branches)
        {
            if (b.Type == AvroType.Union)
            {
                throw new AvroSchemaException("A union may not directly contain another union.");
            }

            var key = b is NamedSchema n ? n.FullName : b.Type.ToString();
            if (!seen.Add(key))
            {
                throw new AvroSchemaException($"A union has two branches of type {key}.");
            }
        }
    }

    private static void CheckName(string name, string what)
    {
        var ok = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        if (!ok)
        {
            throw new AvroSchemaException($"'{name}' is not a valid Avro name ({what}).");
        }
    }

    internal static AvroType? Primitive(string name) => name switch
    {
        "null" => AvroType.Null,
        "boolean" => AvroType.Boolean,
        "int" => AvroType.Int,
        "long" => AvroType.Long,
        "float" => AvroType.Float,
        "double" => AvroType.Double,
        "bytes" => AvroType.Bytes,
        "string" => AvroType.String,
        _ => null,
    };

    // An alias is a name; anything else in an aliases array is the schema's error, not the JSON reader's.
    private static string AliasText(JsonElement x) =>
        x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new AvroSchemaException($"An alias is not a string: {x.GetRawText()}.");

    private static string? OptionalString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? OptionalInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
}
