// A decode plan is a writer schema resolved against a reader schema once (Avro specification, "Schema
// Resolution"), then run for every datum: fields the reader lacks are skipped without being materialized,
// fields the writer lacks take the reader's default, numbers are promoted, unions and enums are mapped.
// With reader == writer it is the plain decoder. Plans are immutable and thread-safe; cache them.
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Broker.Avro.Binary;
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Avro.Decoding;

/// <summary>Where the bytes being decoded live, so bytes values can be slices of them rather than copies.</summary>
public readonly record struct DecodeSource(byte[] Array, int Offset)
{
    /// <summary>The array behind <paramref name="data"/>, or a copy when it has none.</summary>
    public static DecodeSource Of(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new DecodeSource(segment.Array!, segment.Offset)
            : new DecodeSource(data.ToArray(), 0);
}

public sealed class DecodePlan
{
    /// <summary>Deepest nesting of data (records in arrays in unions...) accepted, against stack exhaustion.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most items of a zero-byte type (null, empty record) in one array, against allocation bombs.</summary>
    public const int MaxZeroByteItems = 1 << 16;

    /// <summary>Most items in one array or map (a further cap besides the bytes actually present).</summary>
    public const long MaxItems = 1L << 26;

    private static readonly ConcurrentDictionary<(AvroSchema, AvroSchema), DecodePlan> Cache = new();
    private readonly ValueDecoder _root;

    private DecodePlan(AvroSchema writer, AvroSchema reader, ValueDecoder root)
    {
        Writer = writer;
        Reader = reader;
        _root = root;
    }

    public AvroSchema Writer { get; }

    public AvroSchema Reader { get; }

    /// <summary>The plan for data written with <paramref name="writer"/> and read as <paramref name="reader"/> (cached by identity).</summary>
    public static DecodePlan For(AvroSchema writer, AvroSchema? reader = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        reader ??= writer;
        return Cache.GetOrAdd((writer, reader), static key => new DecodePlan(key.Item1, key.Item2, Resolver.Resolve(key.Item1, key.Item2)));
    }

    /// <summary>Decodes one datum from the start of <paramref name="data"/>; returns the value and bytes used.</summary>
    public AvroValue Read(ReadOnlyMemory<byte> data, out int consumed, long baseOffset = 0)
    {
        var source = DecodeSource.Of(data);
        var reader = new AvroReader(data.Span, baseOffset);
        var value = _root.Read(ref reader, source, 0);
        consumed = reader.Position;
        return value;
    }

    /// <summary>Decodes one datum that must fill <paramref name="data"/> exactly.</summary>
    public AvroValue ReadExact(ReadOnlyMemory<byte> data, long baseOffset = 0)
    {
        var value = Read(data, out var consumed, baseOffset);
        if (consumed != data.Length)
        {
            throw new AvroDecodeException($"{data.Length - consumed} bytes left over after the datum", baseOffset + consumed);
        }

        return value;
    }

    /// <summary>Decodes one datum at the reader's position (used by container files and framing).</summary>
    public AvroValue Read(ref AvroReader reader, DecodeSource source) => _root.Read(ref reader, source, 0);

    /// <summary>The fewest bytes one value of <paramref name="schema"/> can take (0 for null).</summary>
    public static int MinBytes(AvroSchema schema) => MinBytes(schema, 0);

    private static int MinBytes(AvroSchema schema, int depth) => schema.Type switch
    {
        AvroType.Null => 0,
        AvroType.Float => 4,
        AvroType.Double => 8,
        AvroType.Fixed => ((FixedSchema)schema).Size,
        AvroType.Record => depth > 8 ? 0 : ((RecordSchema)schema).Fields.Sum(f => MinBytes(f.Schema, depth + 1)),
        _ => 1,
    };
}
