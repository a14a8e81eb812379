// Fink's Parquet layouts read without any sidecar: ZTF in the survey's field order and in pandas' alphabetical,
// all-double layout, Rubin's LSSTCam export with its sidecar removed; a row and the same alert's Avro packet agree
// field by field; a file that cannot give whole alerts is reported per file while the rest of a folder is read.
using System.Globalization;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Avro.Generic;
using Broker.Avro.Schema;
using DuckDB.NET.Data;

namespace Broker.Sources.Tests;

public sealed class FinkParquetTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Both_ztf_layouts_become_ztf_alerts_with_cutouts_history_and_scores()
    {
        var source = new AlertSource([Fixtures.ZtfLayouts]);
        Assert.Equal(2, source.Files.Count);
        var alerts = Fixtures.Decode(source.Read());
        Assert.Equal(source.Count(), alerts.Count);
        Assert.Equal(20, alerts.Count);
        foreach (var (item, a) in alerts)
        {
            Assert.Equal(SourceFormat.FinkParquet, item.Format);
            Assert.Equal(Survey.Ztf, a.Survey);
            Assert.Contains(a.AlertId.ToString(CultureInfo.InvariantCulture), item.Name, StringComparison.Ordinal);
            Assert.StartsWith("ZTF", a.ObjectId, StringComparison.Ordinal);
            Assert.All(new[] { a.Science, a.Template, a.Difference }, c => Assert.Equal(CutoutStatus.Fits, c.Status));
            Assert.Contains(a.Band, new[] { "g", "r", "i" });
            Assert.NotNull(a.SurveyScore);
        }

        // A first detection has no history; most alerts of these files have some.
        Assert.True(alerts.Count(a => a.Alert.History.Count + a.Alert.UpperLimits.Count > 0) >= 15);
    }

    [Fact]
    public void The_lsstcam_export_reads_without_its_schema_sidecar()
    {
        foreach (var parquet in Directory.EnumerateFiles(Fixtures.FinkExport, "*.parquet"))
        {
            _scratch.Copy(parquet, "export", System.IO.Path.GetFileName(parquet));
        }

        var alerts = Fixtures.Decode(new AlertSource([_scratch.Path("export")]).Read());
        Assert.Equal(3, alerts.Count);
        foreach (var (_, a) in alerts)
        {
            Assert.Equal(Survey.Rubin, a.Survey);
            Assert.Equal("lsst.v10_0.alert", a.SchemaVersion);
            Assert.All(new[] { a.Science, a.Template, a.Difference }, c => Assert.Equal(CutoutStatus.Fits, c.Status));
            Assert.InRange(a.SurveyScore!.Value, 0.0, 1.0);
            Assert.NotEmpty(a.History);
            Assert.Equal("2026-03-09", ObservingNight.Name(ObservingNight.Of(Survey.Rubin, a.Mjd)));
        }
    }

    [Fact]
    public void A_parquet_row_and_the_same_alerts_avro_packet_agree_field_by_field()
    {
        var rows = Fixtures.Decode(new AlertSource([System.IO.Path.Combine(Fixtures.ZtfPairs, "fink-broker_datatest_part-00002_three-rows.parquet")]).Read())
            .ToDictionary(r => r.Alert.AlertId, r => r.Alert);
        var packets = Fixtures.Decode(new AlertSource(Directory.EnumerateFiles(Fixtures.ZtfPairs, "*.avro")).Read());
        Assert.Equal(3, packets.Count);
        var compared = 0;
        foreach (var (_, packet) in packets)
        {
            var row = rows[packet.AlertId];
            // The packet is Fink's rewrite and carries Fink's own columns too: the survey's alert fields are compared,
            // every one the row has (all ten of ZTF's 3.3 alert record but fp_hists), and inside them every field.
            Assert.Equal(9, row.Raw.Schema.Fields.Count);
            foreach (var field in row.Raw.Schema.Fields)
            {
                compared += Agree(packet.Raw[field.Name], row.Raw[field.Name], field.Name);
            }

            Assert.Equal(packet.History.Count, row.History.Count);
            Assert.Equal(packet.Difference.Image!.Pixels.ToArray(), row.Difference.Image!.Pixels.ToArray());
        }

        Assert.True(compared > 3 * 100, $"only {compared} values compared");
    }

    [Fact]
    public void A_file_without_cutout_columns_is_reported_and_the_rest_of_a_mixed_folder_is_read()
    {
        var layout = Directory.EnumerateFiles(Fixtures.ZtfLayouts, "*.parquet").Order(StringComparer.Ordinal).First();
        _scratch.Copy(layout, "mixed", "good.parquet");
        using (var db = new DuckDBConnection("DataSource=:memory:"))
        {
            db.Open();
            using var copy = db.CreateCommand();
            copy.CommandText = $"COPY (SELECT candid, objectId, candidate, prv_candidates FROM read_parquet('{layout}')) TO '{_scratch.Path("mixed", "light_curves_only.parquet")}' (FORMAT parquet)";
            copy.ExecuteNonQuery();
        }

        File.WriteAllText(_scratch.Path("mixed", "notes.txt"), "not an alert, and not looked at");
        File.WriteAllBytes(_scratch.Path("mixed", "junk.bin"), [0x42, 0x13, 0x37]);
        _scratch.Copy(System.IO.Path.Combine(Fixtures.RubinKafka, "00_0000004283.avro"), "mixed", "body_without_schema.avro");

        var items = new AlertSource([_scratch.Path("mixed")]).Read().ToList();
        var problems = items.Where(i => i.IsProblem).ToDictionary(i => System.IO.Path.GetFileName(i.Path), i => i.Problem!);
        Assert.Equal(3, problems.Count);
        Assert.Contains("without cutout columns", problems["light_curves_only.parquet"], StringComparison.Ordinal);
        Assert.Contains("first byte 0x42", problems["junk.bin"], StringComparison.Ordinal);
        Assert.Contains("schema.json", problems["body_without_schema.avro"], StringComparison.Ordinal);
        Assert.Equal(new AlertSource([layout]).Count(), items.Count(i => !i.IsProblem));
        Assert.DoesNotContain(items, i => i.Path.EndsWith("notes.txt", StringComparison.Ordinal));
    }

    // Every field of the packet's record has the same value in the row's record (the row may carry more fields);
    // returns how many leaf values were compared.
    private static int Agree(AvroRecord expected, AvroRecord actual, string path)
    {
        var n = 0;
        foreach (var field in expected.Schema.Fields)
        {
            Assert.True(actual.TryGet(field.Name, out var value), $"{path}.{field.Name}: missing from the Parquet row");
            n += Agree(expected[field.Name], value, path + "." + field.Name);
        }

        return n;
    }

    private static int Agree(AvroValue expected, AvroValue actual, string path)
    {
        if (expected.IsNull)
        {
            Assert.True(actual.IsNull || (actual.Kind is AvroType.Double or AvroType.Float && double.IsNaN(actual.ToDouble())), $"{path}: {actual} where the packet has null");
            return 1;
        }

        switch (expected.Kind)
        {
            case AvroType.Record:
                return Agree(expected.AsRecord(), actual.AsRecord(), path);
            case AvroType.Array:
                var (e, a) = (expected.AsArray(), actual.AsArray());
                Assert.True(e.Count == a.Count, $"{path}: {a.Count} items where the packet has {e.Count}");
                var n = 0;
                for (var i = 0; i < e.Count; i++)
                {
                    n += Agree(e[i], a[i], $"{path}[{i}]");
                }

                return n;
            case AvroType.Bytes:
                Assert.True(expected.AsBytes().Span.SequenceEqual(actual.AsBytes().Span), $"{path}: bytes differ");
                return 1;
            case AvroType.String or AvroType.Enum:
                Assert.Equal(expected.ToText(), actual.ToText());
                return 1;
            case AvroType.Boolean:
                Assert.Equal(expected.AsBoolean(), actual.AsBoolean());
                return 1;
            default:
                Assert.True(expected.ToDouble().Equals(actual.ToDouble()), $"{path}: {actual.ToDouble()} where the packet has {expected.ToDouble()}");
                return 1;
        }
    }
}
