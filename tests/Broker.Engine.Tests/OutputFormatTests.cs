using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro.Container;
using Broker.Avro.Framing;
using Broker.Avro.Generic;
using Broker.Avro.Schema;
using Broker.Engine.Annotation;
using Broker.Features.Catalog;

namespace Broker.Engine.Tests;

public sealed class OutputFormatTests
{
    private const string Ztf = "ztf/kowalski_20231012/2475433850015010009.avro";
    private const string RubinOcf = "rubin/ocf_v9_0/sample_v9.avro";

    internal static AlertAnnotation Annotation(Alert alert, bool withNovelty = true) => new()
    {
        Source = new SourcePosition("ztf.alerts", 3, 12345),
        Features = [.. Enumerable.Range(0, FeatureCatalog.Count).Select(i => i == 5 ? float.NaN : i * 0.5f)],
        Rb = 0.875f,
        RbModel = "rb-test",
        Cnn = 0.25f,
        CnnModel = "cnn-test",
        RbCombined = 0.5f,
        Novelty = withNovelty
            ? new NoveltyAnnotation(0.71f, "history", [new("photometry", 0.5f), new("history", 0.71f)], [new("lc_color", 0.5f), new("lc_nbands", 0.25f)], "nov-1-2-3")
            : null,
        Filters = ["likely_real", "novel"],
        IngestTimeMs = 1_700_000_000_000,
    };

    [Fact]
    public void Schemas_folder_holds_the_generated_schemas()
    {
        Assert.Equal(AnnotationSchema.AnnotationJson, File.ReadAllText(Path.Combine(TestData.Root, "schemas", AnnotationSchema.AnnotationFile)));
        Assert.Equal(AnnotationSchema.LightJson, File.ReadAllText(Path.Combine(TestData.Root, "schemas", AnnotationSchema.LightFile)));
    }

    [Fact]
    public void Full_ztf_output_is_a_container_file_holding_the_original_record_plus_the_annotation()
    {
        var alert = TestData.Decode(Ztf);
        var bytes = Write(new OutputFormat(), Payload.Full, alert, Annotation(alert));
        var contents = ContainerFile.Read(bytes);
        var record = Assert.Single(contents.Records).AsRecord();
        Assert.Equal(alert.Raw.Count + 1, record.Count);
        for (var i = 0; i < alert.Raw.Count; i++)
        {
            Assert.Equal(alert.Raw[i], record[i]);
        }

        var broker = record[AnnotationSchema.FieldName].AsRecord();
        Assert.Equal(alert.AlertId, broker["alert_id"].AsLong());
        Assert.Equal("ztf", broker["survey"].AsString());
        Assert.Equal(0.875f, broker["rb"].AsFloat());
        Assert.Equal(0.25f, broker["cnn"].AsFloat());
        Assert.Equal("ztf.alerts", broker["source"].AsRecord()["topic"].AsString());
        Assert.Equal(12345L, broker["source"].AsRecord()["offset"].AsLong());
        var features = broker["features"].AsRecord();
        Assert.Equal(FeatureCatalog.Count, features.Count);
        Assert.True(float.IsNaN(features[5].AsFloat()));
        Assert.Equal(3.5f, features[7].AsFloat());
        var novelty = broker["novelty"].AsRecord();
        Assert.Equal("history", novelty["subspace"].AsString());
        Assert.True(novelty["subspace_scores"].AsMap().TryGet("history", out var h) && h.AsFloat() == 0.71f);
        Assert.Equal("lc_color", novelty["top_features"].AsArray()[0].AsRecord()["name"].AsString());
        Assert.Equal(["likely_real", "novel"], broker["filters"].AsArray().Items.ToArray().Select(v => v.AsString()));
        Assert.Equal(1_700_000_000_000, broker["ingest_time"].AsLong());
        Assert.Equal(1_700_000_000_500, broker["publish_time"].AsLong());

        // The broker's own decoder reads its output as an alert again (same id, same cutouts).
        var again = Assert.Single(new AlertDecoder().Decode(bytes));
        Assert.Equal(alert.AlertId, again.AlertId);
        Assert.Equal(alert.Difference.Image!.Pixels.ToArray(), again.Difference.Image!.Pixels.ToArray());
    }

    [Fact]
    public void Missing_scores_are_nulls_and_novelty_can_be_absent()
    {
        var alert = TestData.Decode(Ztf);
        var annotation = Annotation(alert, withNovelty: false);
        annotation = new AlertAnnotation
        {
            Source = annotation.Source,
            Features = annotation.Features,
            Rb = 0.1f,
            RbModel = "rb",
            IngestTimeMs = 1,
        };
        var broker = ContainerFile.Read(Write(new OutputFormat(), Payload.Full, alert, annotation)).Records[0].AsRecord()[AnnotationSchema.FieldName].AsRecord();
        Assert.True(broker["cnn"].IsNull);
        Assert.True(broker["cnn_model"].IsNull);
        Assert.True(broker["rb_combined"].IsNull);
        Assert.True(broker["novelty"].IsNull);
        Assert.Equal(0, broker["filters"].AsArray().Count);
    }

    [Fact]
    public void Light_output_has_identity_photometry_and_annotation_only()
    {
        var alert = TestData.Decode(Ztf);
        var bytes = Write(new OutputFormat(), Payload.Light, alert, Annotation(alert));
        // A Confluent frame around the bare record: no schema in the message (a container header was ~23 KB).
        Assert.True(bytes.Length < 1500, $"the light message is {bytes.Length} bytes");
        Assert.Equal(OutputFormat.LightSchemaId, ConfluentFrame.ReadSchemaId(bytes));
        var schema = AvroSchema.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", AnnotationSchema.LightFile)));
        Assert.Equal("broker.v1.light_alert", ((RecordSchema)schema).FullName);
        var record = Avro.Decoding.DecodePlan.For(schema).ReadExact(bytes.AsMemory(ConfluentFrame.HeaderSize)).AsRecord();
        Assert.Equal(alert.AlertId, record["alert_id"].AsLong());
        Assert.Equal(alert.ObjectId, record["object_id"].AsString());
        Assert.Equal(alert.Mag, record["mag"].AsDouble());
        Assert.Equal(0.875f, record["broker"].AsRecord()["rb"].AsFloat());
    }

    [Fact]
    public async Task Framed_input_gives_framed_output_under_a_derived_schema_id_written_to_the_schema_folder()
    {
        // A Rubin alert as Rubin publishes it: Confluent frame, schema id 900, schema in a local folder.
        var ocf = ContainerFile.Read(TestData.Bytes(RubinOcf));
        var schemaIn = Directory.CreateTempSubdirectory("schemas-in-");
        var schemaOut = Directory.CreateTempSubdirectory("schemas-out-");
        try
        {
            File.WriteAllText(Path.Combine(schemaIn.FullName, "900.avsc"), SchemaWriter.ToJson(ocf.Header.Schema));
            var framed = new byte[5 + ocf.Datums[0].Length];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), 900);
            ocf.Datums[0].Span.CopyTo(framed.AsSpan(5));
            var alert = Assert.Single(new AlertDecoder(new LocalSchemaDirectory(schemaIn.FullName)).Decode(framed));
            Assert.Equal(900, alert.Envelope!.SchemaId);

            var format = new OutputFormat(schemaOut.FullName);
            var full = Write(format, Payload.Full, alert, Annotation(alert));
            Assert.Equal(0, full[0]);
            Assert.Equal(1_000_900, ConfluentFrame.ReadSchemaId(full));
            var light = Write(format, Payload.Light, alert, Annotation(alert));
            Assert.Equal(1_000_000, ConfluentFrame.ReadSchemaId(light));

            // Any consumer with the written schema folder decodes both.
            var outputs = new LocalSchemaDirectory(schemaOut.FullName);
            var decoded = Assert.Single(new AlertDecoder(outputs).Decode(full));
            Assert.Equal(alert.AlertId, decoded.AlertId);
            Assert.Equal("rubin", decoded.Raw[AnnotationSchema.FieldName].AsRecord()["survey"].AsString());
            var lightSchema = await outputs.GetAsync(1_000_000);
            var lightRecord = Avro.Decoding.DecodePlan.For(lightSchema).ReadExact(light.AsMemory(5)).AsRecord();
            Assert.Equal(alert.AlertId, lightRecord["alert_id"].AsLong());

        }
        finally
        {
            schemaIn.Delete(true);
            schemaOut.Delete(true);
        }
    }

    [Fact]
    public async Task Apache_avro_decodes_every_output_the_broker_writes_to_the_same_values()
    {
        // Full ZTF output: a container file Apache.Avro's DataFileReader opens by itself.
        var ztf = TestData.Decode(Ztf);
        var full = Write(new OutputFormat(), Payload.Full, ztf, Annotation(ztf));
        using (var reader = global::Avro.File.DataFileReader<global::Avro.Generic.GenericRecord>.OpenReader(new MemoryStream(full)))
        {
            Broker.Avro.Tests.ApacheAvroOracle.AssertSame(ContainerFile.Read(full).Records[0], reader.Next(), "ztf full");
            Assert.False(reader.HasNext());
        }

        // Light output: the published schema file and the bytes after the frame.
        var light = Write(new OutputFormat(), Payload.Light, ztf, Annotation(ztf));
        var lightJson = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", AnnotationSchema.LightFile));
        Broker.Avro.Tests.ApacheAvroOracle.AssertSame(
            Avro.Decoding.DecodePlan.For(AvroSchema.Parse(lightJson)).ReadExact(light.AsMemory(ConfluentFrame.HeaderSize)),
            ApacheRead(lightJson, light.AsSpan(ConfluentFrame.HeaderSize)), "light");

        // Full Rubin output: framed, its schema from the folder the broker writes.
        var ocf = ContainerFile.Read(TestData.Bytes(RubinOcf));
        var schemaIn = Directory.CreateTempSubdirectory("schemas-in-");
        var schemaOut = Directory.CreateTempSubdirectory("schemas-out-");
        try
        {
            File.WriteAllText(Path.Combine(schemaIn.FullName, "900.avsc"), SchemaWriter.ToJson(ocf.Header.Schema));
            var rubin = Assert.Single(new AlertDecoder(new LocalSchemaDirectory(schemaIn.FullName)).Decode(ConfluentFrame.Frame(900, ocf.Datums[0].ToArray())));
            var framed = Write(new OutputFormat(schemaOut.FullName), Payload.Full, rubin, Annotation(rubin));
            var outputSchema = await new LocalSchemaDirectory(schemaOut.FullName).GetAsync(ConfluentFrame.ReadSchemaId(framed));
            var json = File.ReadAllText(Path.Combine(schemaOut.FullName, $"{ConfluentFrame.ReadSchemaId(framed)}.avsc"));
            Broker.Avro.Tests.ApacheAvroOracle.AssertSame(
                Avro.Decoding.DecodePlan.For(outputSchema).ReadExact(framed.AsMemory(ConfluentFrame.HeaderSize)),
                ApacheRead(json, framed.AsSpan(ConfluentFrame.HeaderSize)), "rubin full");
        }
        finally
        {
            schemaIn.Delete(true);
            schemaOut.Delete(true);
        }
    }

    private static global::Avro.Generic.GenericRecord ApacheRead(string schemaJson, ReadOnlySpan<byte> datum)
    {
        var schema = global::Avro.Schema.Parse(schemaJson);
        var reader = new global::Avro.Generic.GenericDatumReader<global::Avro.Generic.GenericRecord>(schema, schema);
        using var stream = new MemoryStream(datum.ToArray());
        var record = reader.Read(null!, new global::Avro.IO.BinaryDecoder(stream));
        Assert.Equal(stream.Length, stream.Position); // the whole datum, nothing left over
        return record;
    }

    [Fact]
    public void Broker_output_fed_back_as_input_is_refused()
    {
        var alert = TestData.Decode(Ztf);
        var output = new AlertDecoder().Decode(Write(new OutputFormat(), Payload.Full, alert, Annotation(alert)))[0];
        Assert.Throws<AlreadyAnnotatedException>(() => Write(new OutputFormat(), Payload.Full, output, Annotation(output)));
    }

    [Fact]
    public void Python_avro_reads_the_full_and_light_outputs()
    {
        var alert = TestData.Decode(Ztf);
        var dir = Directory.CreateTempSubdirectory("py-avro-");
        try
        {
            File.WriteAllBytes(Path.Combine(dir.FullName, "full.avro"), Write(new OutputFormat(), Payload.Full, alert, Annotation(alert)));
            File.WriteAllBytes(Path.Combine(dir.FullName, "light.bin"), Write(new OutputFormat(), Payload.Light, alert, Annotation(alert)));
            const string Script = """
                import io, json, sys, math, struct
                import avro.schema
                from avro.datafile import DataFileReader
                from avro.io import BinaryDecoder, DatumReader
                out = {}
                for name in ("full", "light"):
                    if name == "full":
                        with DataFileReader(open(sys.argv[1] + "/full.avro", "rb"), DatumReader()) as r:
                            rec = next(iter(r))
                    else:
                        # Confluent frame: magic 0, big-endian schema id, then the record; the schema is the published file.
                        data = open(sys.argv[1] + "/light.bin", "rb").read()
                        magic, schema_id = struct.unpack(">bI", data[:5])
                        assert magic == 0 and schema_id == 1000000, (magic, schema_id)
                        schema = avro.schema.parse(open(sys.argv[3]).read())
                        rec = DatumReader(schema).read(BinaryDecoder(io.BytesIO(data[5:])))
                    b = rec["broker"]
                    out[name] = {"alert_id": b["alert_id"], "rb": b["rb"], "filters": b["filters"],
                                 "subspace": b["novelty"]["subspace"], "f7": b["features"]["diff_neg2sig_7x7"] if "diff_neg2sig_7x7" in b["features"] else None,
                                 "nan": math.isnan(b["features"][sys.argv[2]]), "candid": rec.get("candid", rec.get("alert_id"))}
                print(json.dumps(out))
                """;
            var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(Script);
            info.ArgumentList.Add(dir.FullName);
            info.ArgumentList.Add(FeatureCatalog.All[5].Name);
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "schemas", AnnotationSchema.LightFile));
            using var python = Process.Start(info)!;
            var stdout = python.StandardOutput.ReadToEnd();
            var stderr = python.StandardError.ReadToEnd();
            Assert.True(python.WaitForExit(60_000));
            Assert.True(python.ExitCode == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            foreach (var name in new[] { "full", "light" })
            {
                var o = json.RootElement.GetProperty(name);
                Assert.Equal(alert.AlertId, o.GetProperty("alert_id").GetInt64());
                Assert.Equal(alert.AlertId, o.GetProperty("candid").GetInt64());
                Assert.Equal(0.875, o.GetProperty("rb").GetDouble());
                Assert.Equal("history", o.GetProperty("subspace").GetString());
                Assert.True(o.GetProperty("nan").GetBoolean());
                Assert.Equal(["likely_real", "novel"], o.GetProperty("filters").EnumerateArray().Select(e => e.GetString()));
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static byte[] Write(OutputFormat format, Payload payload, Alert alert, AlertAnnotation annotation) =>
        format.Encode(payload, alert, annotation, annotation.IngestTimeMs + 500);
}
