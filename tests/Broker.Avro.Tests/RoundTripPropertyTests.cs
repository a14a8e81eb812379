using Broker.Avro.Container;
using Broker.Avro.Decoding;
using Broker.Avro.Generic;
using Broker.Avro.Schema;
using FsCheck;
using FsCheck.Fluent;

namespace Broker.Avro.Tests;

/// <summary>Write then read gives the same value, for FsCheck-seeded random schemas and data.</summary>
public sealed class RoundTripPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void Binary_encoding_round_trips() =>
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var gen = new RandomSchemas(seed);
            var schema = gen.Schema();
            var value = gen.Value(schema);
            var bytes = GenericWriter.Encode(schema, value);
            var back = DecodePlan.For(schema).ReadExact(bytes);
            return back.Equals(value) && GenericWriter.Encode(schema, back).AsSpan().SequenceEqual(bytes);
        }).Check(Runs);

    [Fact]
    public void Schema_json_round_trips_and_still_decodes_the_data() =>
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var gen = new RandomSchemas(seed);
            var schema = gen.Schema();
            var value = gen.Value(schema);
            var reparsed = AvroSchema.Parse(schema.ToString());
            var bytes = GenericWriter.Encode(schema, value);
            var viaReparsed = DecodePlan.For(reparsed).ReadExact(bytes);
            return SchemaWriter.CanonicalForm(reparsed) == SchemaWriter.CanonicalForm(schema)
                && GenericWriter.Encode(reparsed, viaReparsed).AsSpan().SequenceEqual(bytes);
        }).Check(Runs);

    [Fact]
    public void Container_files_round_trip_with_every_codec() =>
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var gen = new RandomSchemas(seed);
            var schema = gen.Schema();
            var values = Enumerable.Range(0, 1 + Math.Abs(seed % 7)).Select(_ => gen.Value(schema)).ToList();
            foreach (var codec in new[] { "null", "deflate", "snappy" })
            {
                var file = ContainerFileWriter.Write(schema, values, codec, recordsPerBlock: 3);
                var read = ContainerFile.Read(file, schemas: new SchemaCache());
                if (read.Header.Codec != codec || !read.Records.SequenceEqual(values))
                {
                    return false;
                }
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100));
}
