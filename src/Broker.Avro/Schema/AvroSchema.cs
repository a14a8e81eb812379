// The Avro schema model (Avro 1.11 specification): primitives, records, enums, arrays, maps, unions, fixed,
// named-type references and logical-type annotations. Schemas are immutable once parsed, except that a
// record's fields are attached after construction so that recursive types can refer to themselves.
using System.Text.Json;

namespace Broker.Avro.Schema;

/// <summary>The Avro type of a schema.</summary>
public enum AvroType : byte
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed,
}

/// <summary>Any Avro schema.</summary>
public abstract class AvroSchema
{
    protected AvroSchema(AvroType type, string? logicalType)
    {
        Type = type;
        LogicalType = logicalType;
    }

    public AvroType Type { get; }

    /// <summary>The logicalType annotation (for example <c>timestamp-micros</c>), or null.</summary>
    public string? LogicalType { get; }

    /// <summary>The JSON of this schema (named types after their first use are written by name).</summary>
    public override string ToString() => SchemaWriter.ToJson(this);

    /// <summary>Parses a schema from its JSON text.</summary>
    public static AvroSchema Parse(string json) => SchemaParser.Parse(json);
}

/// <summary>null, boolean, int, long, float, double, bytes or string, with an optional logical type.</summary>
public sealed class PrimitiveSchema : AvroSchema
{
    private static readonly PrimitiveSchema[] Plain =
    [
        new(AvroType.Null), new(AvroType.Boolean), new(AvroType.Int), new(AvroType.Long),
        new(AvroType.Float), new(AvroType.Double), new(AvroType.Bytes), new(AvroType.String),
    ];

    public PrimitiveSchema(AvroType type, string? logicalType = null, int? precision = null, int? scale = null)
        : base(type, logicalType)
    {
        if (type > AvroType.String)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "not a primitive type");
        }

        Precision = precision;
        Scale = scale;
    }

    /// <summary>The shared instance for a primitive without annotations.</summary>
    public static PrimitiveSchema Of(AvroType type) => Plain[(int)type];

    /// <summary>For the decimal logical type.</summary>
    public int? Precision { get; }

    /// <summary>For the decimal logical type.</summary>
    public int? Scale { get; }
}

/// <summary>A record, enum or fixed: a type with a full name.</summary>
public abstract class NamedSchema : AvroSchema
{
    protected NamedSchema(AvroType type, string fullName, string? doc, IReadOnlyList<string> aliases, string? logicalType)
        : base(type, logicalType)
    {
        FullName = fullName;
        Doc = doc;
        Aliases = aliases;
    }

    /// <summary>Namespace-qualified name, for example <c>ztf.alert.candidate</c>.</summary>
    public string FullName { get; }

    /// <summary>The name without its namespace.</summary>
    public string Name => FullName[(FullName.LastIndexOf('.') + 1)..];

    /// <summary>The namespace, or empty.</summary>
    public string Namespace => FullName.LastIndexOf('.') is var i and >= 0 ? FullName[..i] : string.Empty;

    public string? Doc { get; }

    /// <summary>Fully qualified aliases (used in schema resolution).</summary>
    public IReadOnlyList<string> Aliases { get; }
}

/// <summary>A record field.</summary>
public sealed class Field
{
    public Field(string name, AvroSchema schema, int position, JsonElement? defaultValue = null, string? doc = null, IReadOnlyList<string>? aliases = null)
    {
        Name = name;
        Schema = schema;
        Position = position;
        Default = defaultValue;
        Doc = doc;
        Aliases = aliases ?? [];
    }

    public string Name { get; }

    public AvroSchema Schema { get; }

    /// <summary>Index of the field in its record (also its order in the binary encoding).</summary>
    public int Position { get; }

    /// <summary>The default as JSON, used when a reader field is missing from the writer.</summary>
    public JsonElement? Default { get; }

    public string? Doc { get; }

    public IReadOnlyList<string> Aliases { get; }

    public override string ToString() => $"{Name}: {Schema.Type}";
}

/// <summary>A record: named fields in order.</summary>
public sealed class RecordSchema : NamedSchema
{
    private Field[] _fields = [];
    private Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    public RecordSchema(string fullName, string? doc = null, IReadOnlyList<string>? aliases = null)
        : base(AvroType.Record, fullName, doc, aliases ?? [], null) { }

    public IReadOnlyList<Field> Fields => _fields;

    /// <summary>The position of the field called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => _byName.TryGetValue(name, out var i) ? i : -1;

    /// <summary>The field called <paramref name="name"/>, or null.</summary>
    public Field? GetField(string name) => IndexOf(name) is var i and >= 0 ? _fields[i] : null;

    internal void SetFields(IReadOnlyList<Field> fields)
    {
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in fields)
        {
            if (!byName.TryAdd(f.Name, f.Position))
            {
                throw new AvroSchemaException($"Record {FullName} has two fields called '{f.Name}'.");
            }
        }

        _fields = [.. fields];
        _byName = byName;
    }
}

/// <summary>An enum: a closed set of symbols, with an optional default for schema resolution.</summary>
public sealed class EnumSchema : NamedSchema
{
    private readonly Dictionary<string, int> _index;

    public EnumSchema(string fullName, IReadOnlyList<string> symbols, string? defaultSymbol = null, string? doc = null, IReadOnlyList<string>? aliases = null)
        : base(AvroType.Enum, fullName, doc, aliases ?? [], null)
    {
        Symbols = symbols;
        Default = defaultSymbol;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < symbols.Count; i++)
        {
            if (!_index.TryAdd(symbols[i], i))
            {
                throw new AvroSchemaException($"Enum {fullName} repeats the symbol '{symbols[i]}'.");
            }
        }

        if (defaultSymbol is not null && !_index.ContainsKey(defaultSymbol))
        {
            throw new AvroSchemaException($"Enum {fullName}: default '{defaultSymbol}' is not one of its symbols.");
        }
    }

    public IReadOnlyList<string> Symbols { get; }

    public string? Default { get; }

    public int IndexOf(string symbol) => _index.TryGetValue(symbol, out var i) ? i : -1;
}

/// <summary>A fixed-size byte string.</summary>
public sealed class FixedSchema : NamedSchema
{
    public FixedSchema(string fullName, int size, string? logicalType = null, string? doc = null, IReadOnlyList<string>? aliases = null)
        : base(AvroType.Fixed, fullName, doc, aliases ?? [], logicalType)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Size = size;
    }

    public int Size { get; }
}

/// <summary>An array of items of one schema.</summary>
public sealed class ArraySchema : AvroSchema
{
    public ArraySchema(AvroSchema items)
        : base(AvroType.Array, null) => Items = items;

    public AvroSchema Items { get; }
}

/// <summary>A map from strings to values of one schema.</summary>
public sealed class MapSchema : AvroSchema
{
    public MapSchema(AvroSchema values)
        : base(AvroType.Map, null) => Values = values;

    public AvroSchema Values { get; }
}

/// <summary>A union of branches (no directly nested unions; at most one branch per unnamed type).</summary>
public sealed class UnionSchema : AvroSchema
{
    public UnionSchema(IReadOnlyList<AvroSchema> branches)
        : base(AvroType.Union, null)
    {
        Branches = branches;
        NullBranch = -1;
        for (var i = 0; i < branches.Count; i++)
        {
            if (branches[i].Type == AvroType.Null)
            {
                NullBranch = i;
            }
        }
    }

    public IReadOnlyList<AvroSchema> Branches { get; }

    /// <summary>Index of the null branch, or -1.</summary>
    public int NullBranch { get; }

    /// <summary>For the common <c>["null", T]</c> / <c>[T, "null"]</c>: T; otherwise null.</summary>
    public AvroSchema? NullableOf =>
        Branches.Count == 2 && NullBranch >= 0 ? Branches[1 - NullBranch] : null;
}
