using Broker.Avro.Decoding;
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Avro.Tests;

/// <summary>Avro schema resolution: how data written with one version is read with another.</summary>
public sealed class ResolutionTests
{
    private static readonly AvroSchema WriterV1 = AvroSchema.Parse("""
        {"type":"record","name":"ztf.alert.candidate","fields":[
          {"name":"candid","type":"long"},
          {"name":"fid","type":"int"},
          {"name":"magpsf","type":"float"},
          {"name":"dropped","type":{"type":"array","items":"string"}},
          {"name":"band","type":{"type":"enum","name":"ztf.alert.B","symbols":["g","r","i","z"]}}
        ]}
        """);

    private static readonly AvroSchema ReaderV2 = AvroSchema.Parse("""
        {"type":"record","name":"ztf.alert.candidate","fields":[
          {"name":"band","type":{"type":"enum","name":"ztf.alert.B","symbols":["g","r","i","other"],"default":"other"}},
          {"name":"magpsf","type":["null","double"]},
          {"name":"drb","type":["null","float"],"default":null},
          {"name":"fid","type":"long"},
          {"name":"candid","type":"long"},
          {"name":"tag","type":"string","default":"none"}
        ]}
        """);

    private static byte[] WriteV1(string band) => GenericWriter.Encode(WriterV1, AvroValue.FromRecord(new AvroRecord((RecordSchema)WriterV1,
    [
        AvroValue.FromLong(1234567890123), AvroValue.FromInt(2), AvroValue.FromFloat(18.5f),
        AvroValue.FromArray(new AvroArray([AvroValue.FromString("x"), AvroValue.FromString("y")])),
        AvroValue.FromEnum((EnumSchema)((RecordSchema)WriterV1).Fields[4].Schema, ((EnumSchema)((RecordSchema)WriterV1).Fields[4].Schema).IndexOf(band)),
    ])));

    [Fact]
    public void Fields_are_matched_by_name_promoted_defaulted_and_skipped()
    {
        var record = DecodePlan.For(WriterV1, ReaderV2).ReadExact(WriteV1("r")).AsRecord();
        Assert.Equal(1234567890123, record["candid"].AsLong());
        Assert.Equal(AvroType.Long, record["fid"].Kind);
        Assert.Equal(2, record["fid"].AsLong());
        Assert.Equal(18.5, record["magpsf"].AsDouble());
        Assert.Equal(1, record["magpsf"].Branch);
        Assert.True(record["drb"].IsNull);
        Assert.Equal("none", record["tag"].AsString());
        Assert.Equal("r", record["band"].AsEnumSymbol());
        Assert.False(record.TryGet("dropped", out _));
    }

    [Fact]
    public void An_unknown_enum_symbol_takes_the_reader_default() =>
        Assert.Equal("other", DecodePlan.For(WriterV1, ReaderV2).ReadExact(WriteV1("z")).AsRecord()["band"].AsEnumSymbol());

    [Fact]
    public void A_reader_field_missing_from_the_writer_without_default_is_a_schema_error()
    {
        var reader = AvroSchema.Parse("""{"type":"record","name":"ztf.alert.candidate","fields":[{"name":"new","type":"int"}]}""");
        var e = Assert.Throws<AvroSchemaException>(() => DecodePlan.For(WriterV1, reader));
        Assert.Contains("new is not in the writer schema and has no default", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Incompatible_types_are_a_schema_error()
    {
        var reader = AvroSchema.Parse("""{"type":"record","name":"ztf.alert.candidate","fields":[{"name":"candid","type":"int"}]}""");
        var e = Assert.Throws<AvroSchemaException>(() => DecodePlan.For(WriterV1, reader));
        Assert.Contains("candid: writer type long cannot be read as int", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_writer_union_branch_the_reader_cannot_take_fails_only_when_used()
    {
        var writer = AvroSchema.Parse("""["null","string","int"]""");
        var reader = AvroSchema.Parse("""["null","long"]""");
        var plan = DecodePlan.For(writer, reader);
        Assert.Equal(7, plan.ReadExact(GenericWriter.Encode(writer, AvroValue.FromInt(7).InBranch(2))).AsLong());
        Assert.True(plan.ReadExact(GenericWriter.Encode(writer, AvroValue.Null)).IsNull);
        var e = Assert.Throws<AvroDecodeException>(() => plan.ReadExact(GenericWriter.Encode(writer, AvroValue.FromString("s").InBranch(1))));
        Assert.Contains("matches no branch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_errors_name_the_field_and_offset()
    {
        var bytes = WriteV1("g")[..9]; // candid takes 6 bytes, fid 1: magpsf starts at 7 and is cut short
        var e = Assert.Throws<AvroDecodeException>(() => DecodePlan.For(WriterV1).ReadExact(bytes));
        Assert.Equal("magpsf", e.FieldPath);
        Assert.Equal(7, e.Offset);
    }
}
