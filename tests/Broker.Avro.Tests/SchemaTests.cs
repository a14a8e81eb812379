using Broker.Avro.Schema;

namespace Broker.Avro.Tests;

public sealed class SchemaTests
{
    [Fact]
    public void Records_enums_fixed_arrays_maps_unions_and_references_parse()
    {
        var schema = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"alert","namespace":"ztf.alert","fields":[
              {"name":"id","type":"long"},
              {"name":"band","type":{"type":"enum","name":"Band","symbols":["g","r","i"],"default":"g"}},
              {"name":"hash","type":{"type":"fixed","name":"Hash","size":16}},
              {"name":"mags","type":{"type":"array","items":"float"}},
              {"name":"meta","type":{"type":"map","values":"string"}},
              {"name":"maybe","type":["null","double"],"default":null},
              {"name":"again","type":"Band"},
              {"name":"again2","type":"ztf.alert.Hash"},
              {"name":"t","type":{"type":"long","logicalType":"timestamp-micros"}}
            ]}
            """);
        Assert.Equal("ztf.alert.alert", schema.FullName);
        Assert.Equal(9, schema.Fields.Count);
        Assert.Same(schema.Fields[1].Schema, schema.Fields[6].Schema);
        Assert.Same(schema.Fields[2].Schema, schema.Fields[7].Schema);
        Assert.Equal("timestamp-micros", schema.Fields[8].Schema.LogicalType);
        Assert.Equal(AvroType.Double, ((UnionSchema)schema.Fields[5].Schema).NullableOf!.Type);
        Assert.Equal(5, schema.IndexOf("maybe"));
    }

    [Fact]
    public void Recursive_records_refer_to_themselves()
    {
        var node = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}
            """);
        Assert.Same(node, ((UnionSchema)node.Fields[0].Schema).Branches[1]);
    }

    [Theory]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"nope\"}]}", "Unknown type 'nope'")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"a\",\"type\":\"int\"}]}", "two fields called 'a'")]
    [InlineData("[\"int\",[\"null\",\"long\"]]", "may not directly contain another union")]
    [InlineData("[\"int\",\"int\"]", "two branches of type Int")]
    [InlineData("{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[\"a\",\"a\"]}", "repeats the symbol")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"f\",\"size\":-1}", "non-negative integer")]
    [InlineData("{\"type\":\"record\",\"name\":\"1bad\",\"fields\":[]}", "not a valid Avro name")]
    [InlineData("{\"type\":\"array\"}", "no \"items\"")]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("42", "must be a string, an array or an object")]
    // Found by the fuzzer (tests/fuzz/crashes/schema): JSON of the wrong kind where the schema wants an object, a
    // number or a name was System.Text.Json's InvalidOperationException, not the schema's error.
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[\"E\"]}", "is not a JSON object")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"f\",\"size\":\"4\"}", "non-negative integer")]
    [InlineData("{\"type\":\"fixed\",\"name\":\"f\",\"size\":4,\"aliases\":[1]}", "An alias is not a string")]
    [InlineData("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"aliases\":[{}]}]}", "An alias is not a string")]
    public void Invalid_schemas_are_refused_with_the_reason(string json, string reason)
    {
        var e = Assert.ThrowsAny<AvroSchemaException>(() => AvroSchema.Parse(json));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonical_form_drops_docs_and_defaults_and_qualifies_names()
    {
        var a = AvroSchema.Parse("""{"type":"record","name":"R","namespace":"x","doc":"d","fields":[{"name":"f","type":"int","default":1,"doc":"q"}]}""");
        var b = AvroSchema.Parse("""{ "name" : "x.R", "type" : "record", "fields" : [ { "type" : "int", "name" : "f" } ] }""");
        Assert.Equal("""{"name":"x.R","type":"record","fields":[{"name":"f","type":"int"}]}""", SchemaWriter.CanonicalForm(a));
        Assert.Equal(SchemaWriter.Fingerprint(a), SchemaWriter.Fingerprint(b));
        Assert.NotEqual(SchemaWriter.Fingerprint(a), SchemaWriter.Fingerprint(AvroSchema.Parse("\"int\"")));
    }

    [Fact]
    public void Full_json_round_trips_through_the_parser()
    {
        const string json = """{"type":"record","name":"a.R","fields":[{"name":"e","type":{"type":"enum","name":"a.E","symbols":["X","Y"]}},{"name":"e2","type":"a.E"},{"name":"m","type":["null",{"type":"map","values":"bytes"}],"default":null}]}""";
        var once = AvroSchema.Parse(json);
        var twice = AvroSchema.Parse(once.ToString());
        Assert.Equal(SchemaWriter.CanonicalForm(once), SchemaWriter.CanonicalForm(twice));
        Assert.Equal(once.ToString(), twice.ToString());
    }

    [Fact]
    public void Rabin_fingerprint_of_the_empty_input_is_the_seed() =>
        Assert.Equal(0xc15d213aa4d7a795UL, Rabin.Fingerprint([]));
}
