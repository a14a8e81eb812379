// Parses each distinct schema text once. ZTF embeds its ~20 KB schema in every message; hashing and comparing
// the bytes costs microseconds, parsing them costs a millisecond.
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Broker.Avro.Schema;

namespace Broker.Avro.Container;

public sealed class SchemaCache
{
    private readonly ConcurrentDictionary<ulong, (byte[] Text, AvroSchema Schema)[]> _entries = new();
    private readonly int _capacity;

    public SchemaCache(int capacity = 1024) => _capacity = capacity;

    public static SchemaCache Shared { get; } = new();

    public int Count => _entries.Values.Sum(e => e.Length);

    public AvroSchema GetOrParse(ReadOnlySpan<byte> schemaJson)
    {
        var hash = Hash(schemaJson);
        if (_entries.TryGetValue(hash, out var bucket))
        {
            foreach (var (text, schema) in bucket)
            {
                if (schemaJson.SequenceEqual(text))
                {
                    return schema;
                }
            }
        }

        var parsed = SchemaParser.Parse(schemaJson);
        if (_entries.Count >= _capacity)
        {
            // A stream with ever-new schemas is a misconfiguration; stay bounded rather than grow forever.
            _entries.Clear();
        }

        var entry = (schemaJson.ToArray(), parsed);
        _entries.AddOrUpdate(hash, [entry], (_, old) => [.. old, entry]);
        return parsed;
    }

    /// <summary>A fast 64-bit hash over 8-byte words (not cryptographic: equality is checked after).</summary>
    private static ulong Hash(ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        var h = 0xcbf29ce484222325UL ^ (ulong)data.Length;
        foreach (var w in words)
        {
            h = (System.Numerics.BitOperations.RotateLeft(h, 5) ^ w) * 0x100000001b3UL;
        }

        for (var i = words.Length * 8; i < data.Length; i++)
        {
            h = (h ^ data[i]) * 0x100000001b3UL;
        }

        return h;
    }
}
