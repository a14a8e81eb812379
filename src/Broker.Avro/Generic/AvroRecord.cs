// Decoded records, arrays and maps. A record keeps its reader schema, so every field is reachable by name
// (filters and features ask for raw survey fields such as candidate.magpsf).
using Broker.Avro.Schema;

namespace Broker.Avro.Generic;

public sealed class AvroRecord : IEquatable<AvroRecord>
{
    private readonly AvroValue[] _values;

    public AvroRecord(RecordSchema schema, AvroValue[] values)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != schema.Fields.Count)
        {
            throw new ArgumentException($"Record {schema.FullName} has {schema.Fields.Count} fields, not {values.Length}.", nameof(values));
        }

        Schema = schema;
        _values = values;
    }

    public RecordSchema Schema { get; }

    public int Count => _values.Length;

    public AvroValue this[int index] => _values[index];

    /// <summary>The value of field <paramref name="name"/>; throws if the record has no such field.</summary>
    public AvroValue this[string name] =>
        TryGet(name, out var v) ? v : throw new KeyNotFoundException($"Record {Schema.FullName} has no field '{name}'.");

    public bool TryGet(string name, out AvroValue value)
    {
        var i = Schema.IndexOf(name);
        value = i >= 0 ? _values[i] : default;
        return i >= 0;
    }

    /// <summary>The field's value, or null when the record has no such field (older schema versions).</summary>
    public AvroValue GetOrNull(string name) => TryGet(name, out var v) ? v : AvroValue.Null;

    public ReadOnlySpan<AvroValue> Values => _values;

    public bool Equals(AvroRecord? other) =>
        other is not null && other.Schema.FullName == Schema.FullName && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as AvroRecord);

    public override int GetHashCode() => HashCode.Combine(Schema.FullName, _values.Length);

    public override string ToString() => $"{Schema.Name}{{{string.Join(", ", Schema.Fields.Select(f => $"{f.Name}={_values[f.Position]}"))}}}";
}

public sealed class AvroArray : IEquatable<AvroArray>
{
    private readonly AvroValue[] _items;

    public AvroArray(AvroValue[] items) => _items = items ?? throw new ArgumentNullException(nameof(items));

    public static AvroArray Empty { get; } = new([]);

    public int Count => _items.Length;

    public AvroValue this[int index] => _items[index];

    public ReadOnlySpan<AvroValue> Items => _items;

    public bool Equals(AvroArray? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => Equals(obj as AvroArray);

    public override int GetHashCode() => _items.Length;

    public override string ToString() => $"[{string.Join(", ", _items)}]";
}

public sealed class AvroMap : IEquatable<AvroMap>
{
    private readonly KeyValuePair<string, AvroValue>[] _entries;

    public AvroMap(KeyValuePair<string, AvroValue>[] entries) => _entries = entries ?? throw new ArgumentNullException(nameof(entries));

    public int Count => _entries.Length;

    public ReadOnlySpan<KeyValuePair<string, AvroValue>> Entries => _entries;

    /// <summary>The value for <paramref name="key"/> (the last one, if a key repeats), or false.</summary>
    public bool TryGet(string key, out AvroValue value)
    {
        for (var i = _entries.Length - 1; i >= 0; i--)
        {
            if (_entries[i].Key == key)
            {
                value = _entries[i].Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    public bool Equals(AvroMap? other) =>
        other is not null && other._entries.Length == _entries.Length
        && _entries.Zip(other._entries).All(p => p.First.Key == p.Second.Key && p.First.Value.Equals(p.Second.Value));

    public override bool Equals(object? obj) => Equals(obj as AvroMap);

    public override int GetHashCode() => _entries.Length;
}
