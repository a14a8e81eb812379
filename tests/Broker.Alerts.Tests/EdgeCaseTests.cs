using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro.Container;
using Broker.Avro.Framing;
using Broker.Avro.Generic;

namespace Broker.Alerts.Tests;

public sealed class EdgeCaseTests
{
    private readonly AlertDecoder _decoder = new();

    [Fact]
    public void Every_fixture_decodes_except_the_corrupt_ones_and_the_unframed_confluent_message()
    {
        foreach (var file in Fixtures.AllAlertFiles)
        {
            if (file.Contains("truncated_corrupt", StringComparison.Ordinal) || file.Contains("confluent", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.NotEmpty(_decoder.Decode(Fixtures.Bytes(file)));
        }
    }

    [Fact]
    public void All_ztf_schema_versions_are_covered()
    {
        var versions = Fixtures.AllAlertFiles.Where(f => f.StartsWith("ztf", StringComparison.Ordinal) && !f.Contains("corrupt", StringComparison.Ordinal))
            .SelectMany(f => _decoder.Decode(Fixtures.Bytes(f))).Select(a => a.SchemaVersion).ToHashSet();
        Assert.Superset(new HashSet<string> { "unknown", "2.0", "3.0", "3.1", "3.2", "3.3", "3.5", "4.01", "4.02" }, versions);
    }

    [Theory]
    [InlineData("ztf_edge_cases/truncated_corrupt/516401801315010009.avro")]
    [InlineData("ztf_edge_cases/truncated_corrupt/516434762915010006.avro")]
    public void Truncated_files_fail_with_a_typed_error_naming_the_byte_offset(string file)
    {
        var e = Assert.Throws<AlertDecodeException>(() => _decoder.Decode(Fixtures.Bytes(file)));
        Assert.Equal(DecodeStage.Avro, e.Stage);
        Assert.Equal(18549, e.Offset);
        Assert.Contains("at byte 18549", e.Message, StringComparison.Ordinal);
        Assert.Contains("run past the end of the file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_multi_record_container_gives_three_alerts()
    {
        var alerts = _decoder.Decode(Fixtures.Bytes("ztf_edge_cases/multi_record_ocf/avro_multi_alerts_other.avro"));
        Assert.Equal(3, alerts.Count);
        Assert.Equal(3, alerts.Select(a => a.AlertId).Distinct().Count());
    }

    [Theory]
    [InlineData("ztf_edge_cases/jpeg_cutouts_v1.5_20180209/404105201415015000.avro")]
    [InlineData("ztf_edge_cases/jpeg_cutouts_v1.1_2018/1726958725155000.avro")]
    public void Jpeg_cutouts_are_reported_as_jpeg(string file)
    {
        var alert = Assert.Single(_decoder.Decode(Fixtures.Bytes(file)));
        Assert.Equal(CutoutStatus.Jpeg, alert.Science.Status);
        Assert.Null(alert.Science.Image);
        Assert.StartsWith("JPEG", alert.Difference.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Alerts_without_cutouts_say_absent()
    {
        var alert = Assert.Single(_decoder.Decode(Fixtures.Bytes("ztf_edge_cases/no_cutouts_ampel_repack/1391345455815015017.avro")));
        Assert.All([alert.Science, alert.Template, alert.Difference], c => Assert.Equal(CutoutStatus.Absent, c.Status));
    }

    [Fact]
    public void A_stamp_trimmed_at_the_ccd_edge_keeps_its_true_size()
    {
        var alert = Assert.Single(_decoder.Decode(Fixtures.Bytes("ztf/ampel_recent_alerts_20180607/522193343315015001.avro")));
        var trimmed = new[] { alert.Science, alert.Template, alert.Difference }.Select(c => c.Image!).Where(i => i.Width * i.Height != 63 * 63).ToList();
        Assert.NotEmpty(trimmed);
        Assert.All(trimmed, i => Assert.Equal(55 * 63, i.Width * i.Height));
    }

    [Fact]
    public void The_same_alert_in_successive_ztf_schemas_decodes_to_the_same_values()
    {
        var versions = new[] { "v3.0", "v3.1", "v3.3" }
            .Select(v => Assert.Single(_decoder.Decode(Fixtures.Bytes($"ztf_schema_versions/{v}/472263571115115000.avro")))).ToList();
        Assert.All(versions, a => Assert.Equal(472263571115115000, a.AlertId));
        Assert.Single(versions.Select(a => (a.Ra, a.Dec, a.Mag, a.Science.Image!.FiniteSum())).Distinct());

        // Resolution: the 3.3 packet read with the 3.0 schema skips what 3.3 added (drb, drbversion, ...).
        // (The other way fails by design: ZTF added drbversion without a default.)
        var v33 = Fixtures.Bytes("ztf_schema_versions/v3.3/472263571115115000.avro");
        var reader = ContainerFile.ReadHeader(Fixtures.Bytes("ztf_schema_versions/v3.0/472263571115115000.avro")).Schema;
        var resolved = Assert.Single(ContainerFile.Read(v33, reader).Records).AsRecord();
        Assert.Same(reader, resolved.Schema);
        Assert.False(resolved["candidate"].AsRecord().TryGet("drbversion", out _));
        Assert.Equal(versions[0].Source["magpsf"], resolved["candidate"].AsRecord()["magpsf"]);
    }

    [Fact]
    public void A_confluent_frame_without_a_schema_source_is_a_schema_error_naming_the_id()
    {
        var e = Assert.Throws<AlertDecodeException>(() => _decoder.Decode(Fixtures.Bytes("rubin/confluent_wire_v7_4/message_0.avro")));
        Assert.Equal(DecodeStage.Schema, e.Stage);
        Assert.Contains("schema id 704", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rubin_alert_in_confluent_framing_decodes_through_a_schema_directory()
    {
        // The real LSSTCam alert (container file) re-sent as Rubin does on Kafka: 0x00, schema id, bare datum.
        var ocf = Fixtures.Bytes("rubin/ocf_v9_0/sample_v9.avro");
        var contents = ContainerFile.Read(ocf);
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "900.avsc"), contents.Header.Schema.ToString());
            var framed = ConfluentFrame.Frame(900, GenericWriter.Encode(contents.Header.Schema, contents.Records[0]));
            var viaFrame = Assert.Single(new AlertDecoder(new LocalSchemaDirectory(dir.FullName)).Decode(framed));
            var viaFile = Assert.Single(_decoder.Decode(ocf));
            Assert.Equal(viaFile.AlertId, viaFrame.AlertId);
            Assert.Equal(viaFile.Difference.Image!.FiniteSum(), viaFrame.Difference.Image!.FiniteSum());
            Assert.Equal(3, viaFrame.Science.Hdus.Count);

            var unknown = Assert.Throws<AlertDecodeException>(() => new AlertDecoder(new LocalSchemaDirectory(dir.FullName)).Decode(ConfluentFrame.Frame(901, [0])));
            Assert.Contains("No schema with id 901", unknown.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_embedded_ztf_schema_is_parsed_once_for_many_messages()
    {
        var cache = new SchemaCache();
        var decoder = new AlertDecoder(cache: cache);
        var bytes = Fixtures.Bytes("ztf/kowalski_20231012/2475433850015010009.avro");
        for (var i = 0; i < 20; i++)
        {
            decoder.Decode(bytes);
        }

        Assert.Equal(1, cache.Count);
    }

    [Theory]
    [InlineData(new byte[0], "empty message")]
    [InlineData(new byte[] { 0x7b, 0x22 }, "neither an Avro container file nor a Confluent frame")]
    public void Other_bytes_are_an_envelope_error(byte[] bytes, string reason)
    {
        var e = Assert.Throws<AlertDecodeException>(() => _decoder.Decode(bytes));
        Assert.Equal(DecodeStage.Envelope, e.Stage);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snappy_and_deflate_containers_of_real_alerts_decode_the_same()
    {
        var original = Fixtures.Bytes("ztf_edge_cases/multi_record_ocf/avro_multi_alerts_other.avro");
        var contents = ContainerFile.Read(original);
        foreach (var codec in new[] { "snappy", "deflate" })
        {
            var recoded = ContainerFileWriter.Write(contents.Header.Schema, contents.Records, codec, recordsPerBlock: 2);
            Assert.True(recoded.Length < original.Length + 1000);
            var alerts = _decoder.Decode(recoded);
            Assert.Equal(_decoder.Decode(original).Select(a => (a.AlertId, a.Mag)), alerts.Select(a => (a.AlertId, a.Mag)));
        }
    }

    [Fact]
    public void A_snappy_block_with_a_bad_crc_is_refused()
    {
        var contents = ContainerFile.Read(Fixtures.Bytes("ztf_edge_cases/multi_record_ocf/avro_multi_alerts_other.avro"));
        var file = ContainerFileWriter.Write(contents.Header.Schema, contents.Records.Take(1), "snappy");
        file[^(16 + 1)] ^= 0xff; // last byte of the CRC, just before the sync marker
        var e = Assert.Throws<AlertDecodeException>(() => _decoder.Decode(file));
        Assert.Contains("CRC-32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_sync_marker_is_refused()
    {
        var file = Fixtures.Bytes("ztf/kowalski_20231012/2475433850015010009.avro");
        file[^1] ^= 0x55;
        var e = Assert.Throws<AlertDecodeException>(() => _decoder.Decode(file));
        Assert.Contains("sync marker", e.Message, StringComparison.Ordinal);
        Assert.Equal(file.Length - 16, e.Offset);
    }

    [Fact]
    public void Decoded_bytes_are_slices_of_the_message_not_copies()
    {
        var bytes = Fixtures.Bytes("ztf/kowalski_20231012/2475433850015010009.avro");
        var alert = Assert.Single(new AlertDecoder(decodeCutouts: false).Decode(bytes));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(alert.Science.Bytes, out var segment));
        Assert.Same(bytes, segment.Array);
    }
}
