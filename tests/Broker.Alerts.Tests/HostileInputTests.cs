using Broker.Alerts.Decoding;

namespace Broker.Alerts.Tests;

/// <summary>
/// Mutated real alerts (bit flips, truncation, overwritten length prefixes) either decode or raise the typed
/// error: never another exception, never a hang, never a large allocation.
/// </summary>
public sealed class HostileInputTests
{
    private const long AllocationCap = 48L << 20;

    [Theory]
    [InlineData("ztf/kowalski_20231012/2475433850015010009.avro", 1)]
    [InlineData("ztf_edge_cases/multi_record_ocf/avro_multi_alerts_other.avro", 2)]
    [InlineData("rubin/ocf_v9_0/sample_v9.avro", 3)]
    [InlineData("ztf_schema_versions/v1.8_20180131/396522680015040000.avro", 4)]
    public void Mutated_alerts_decode_or_fail_with_the_typed_error(string file, int seed)
    {
        var original = Fixtures.Bytes(file);
        var random = new Random(seed);
        var decoder = new AlertDecoder();
        var failures = 0;
        for (var i = 0; i < 750; i++)
        {
            var mutated = Mutate(original, random);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                decoder.Decode(mutated);
            }
            catch (AlertDecodeException)
            {
                failures++;
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationCap, $"iteration {i}: decoding {mutated.Length} bytes allocated {allocated} bytes");
        }

        Assert.InRange(failures, 1, 750);
    }

    [Fact]
    public void Deeply_nested_data_is_refused_not_a_stack_overflow()
    {
        // A recursive schema and data nesting 100,000 levels deep.
        var schema = Avro.Schema.AvroSchema.Parse("""{"type":"record","name":"N","fields":[{"name":"next","type":["null","N"]}]}""");
        var data = new byte[100_001];
        Array.Fill(data, (byte)0x02); // union branch 1 (N), again and again
        data[^1] = 0x00;
        var e = Assert.Throws<Avro.AvroDecodeException>(() => Avro.Decoding.DecodePlan.For(schema).ReadExact(data));
        Assert.Contains("nests too deeply", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arrays_of_nulls_cannot_claim_billions_of_items()
    {
        var schema = Avro.Schema.AvroSchema.Parse("""{"type":"array","items":"null"}""");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        new Avro.Binary.AvroWriter(buffer).WriteLong(2_000_000_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<Avro.AvroDecodeException>(() => Avro.Decoding.DecodePlan.For(schema).ReadExact(buffer.WrittenSpan.ToArray()));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < AllocationCap);
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var data = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0: // bit flips
                for (var k = 0; k < 1 + random.Next(8); k++)
                {
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                }

                return data;
            case 1: // truncation
                return data[..random.Next(data.Length)];
            case 2: // a huge varint written over some bytes (a hostile length prefix)
                var at = random.Next(data.Length - 10);
                byte[] huge = [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
                huge.CopyTo(data, at);
                return data;
            default: // a run of random bytes
                var start = random.Next(data.Length);
                random.NextBytes(data.AsSpan(start, Math.Min(data.Length - start, 1 + random.Next(64))));
                return data;
        }
    }
}
