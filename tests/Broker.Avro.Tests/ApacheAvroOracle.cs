// Compares a value decoded by the broker's codec with the same datum decoded by Apache.Avro, field by field, and
// names the path of the first difference. Shared by the codec's oracle tests and the pipeline's output tests.
using Broker.Avro.Generic;
using Broker.Avro.Schema;
using global::Avro.Generic;

namespace Broker.Avro.Tests;

public static class ApacheAvroOracle
{
    public static void AssertSame(AvroValue ours, object? theirs, string path)
    {
        switch (ours.Kind)
        {
            case AvroType.Null:
                Assert.True(theirs is null, $"{path}: null vs {theirs}");
                break;
            case AvroType.Boolean:
                Assert.True(theirs is bool b && b == ours.AsBoolean(), $"{path}: {ours.AsBoolean()} vs {theirs}");
                break;
            case AvroType.Int:
                Assert.True(theirs is int n && n == ours.AsInt(), $"{path}: {ours.AsInt()} vs {theirs}");
                break;
            case AvroType.Long:
                // Apache.Avro turns timestamp-millis/-micros longs into DateTime; the broker keeps the number.
                var expected = ours.AsLong();
                var same = theirs switch
                {
                    long l => l == expected,
                    DateTime t => (t - DateTime.UnixEpoch).Ticks is var ticks && (ticks == expected * TimeSpan.TicksPerMillisecond || ticks == expected * 10),
                    _ => false,
                };
                Assert.True(same, $"{path}: {expected} vs {theirs}");
                break;
            case AvroType.Float:
                // Bit for bit (NaN payloads included): both read the same four bytes.
                Assert.True(theirs is float f && BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits(ours.AsFloat()), $"{path}: {ours.AsFloat()} vs {theirs}");
                break;
            case AvroType.Double:
                Assert.True(theirs is double d && BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(ours.AsDouble()), $"{path}: {ours.AsDouble()} vs {theirs}");
                break;
            case AvroType.String:
                Assert.True(theirs is string s && s == ours.AsString(), $"{path}: '{ours.AsString()}' vs '{theirs}'");
                break;
            case AvroType.Bytes:
                Assert.True(theirs is byte[] bytes && ours.AsBytes().Span.SequenceEqual(bytes), $"{path}: bytes differ");
                break;
            case AvroType.Fixed:
                Assert.True(theirs is GenericFixed gf && ours.AsBytes().Span.SequenceEqual(gf.Value), $"{path}: fixed differs");
                break;
            case AvroType.Enum:
                Assert.True(theirs is GenericEnum e && e.Value == ours.AsEnumSymbol(), $"{path}: {ours.AsEnumSymbol()} vs {theirs}");
                break;
            case AvroType.Record:
                var record = ours.AsRecord();
                var generic = Assert.IsType<GenericRecord>(theirs);
                Assert.Equal(generic.Schema.Fullname, record.Schema.FullName);
                Assert.Equal(generic.Schema.Fields.Count, record.Count);
                for (var i = 0; i < record.Count; i++)
                {
                    var name = record.Schema.Fields[i].Name;
                    Assert.True(generic.TryGetValue(name, out var value), $"{path}.{name}: missing in Apache.Avro's record");
                    AssertSame(record[i], value, $"{path}.{name}");
                }

                break;
            case AvroType.Array:
                var array = ours.AsArray();
                var list = Assert.IsAssignableFrom<System.Collections.IList>(theirs);
                Assert.True(list.Count == array.Count, $"{path}: {array.Count} items vs {list.Count}");
                for (var i = 0; i < array.Count; i++)
                {
                    AssertSame(array[i], list[i], $"{path}[{i}]");
                }

                break;
            case AvroType.Map:
                var map = ours.AsMap();
                var dictionary = Assert.IsAssignableFrom<IDictionary<string, object>>(theirs);
                Assert.Equal(dictionary.Count, map.Count);
                foreach (var (key, value) in map.Entries)
                {
                    Assert.True(dictionary.TryGetValue(key, out var other), $"{path}[{key}]: missing");
                    AssertSame(value, other, $"{path}[{key}]");
                }

                break;
            default:
                Assert.Fail($"{path}: unexpected kind {ours.Kind}");
                break;
        }
    }
}
