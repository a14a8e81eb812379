// Kafka message values kept as files (real LSSTCam lsst.v9_0 bodies off one partition, with the writer schema in
// schema.json): read with the schema beside them, with --schema from elsewhere, framed the Confluent way, inside a
// tar.gz; without any schema they are a problem that says what is missing.
using System.Formats.Tar;
using System.IO.Compression;
using Broker.Alerts.Model;

namespace Broker.Sources.Tests;

public sealed class KafkaDumpTests : IDisposable
{
    private static readonly string[] Bodies = ["00_0000004283.avro", "00_0000004284.avro", "00_0000004289.avro"];

    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Schemaless_bodies_are_read_with_the_schema_json_beside_them()
    {
        var alerts = Fixtures.Decode(new AlertSource([Fixtures.RubinKafka]).Read());
        Assert.Equal(3, alerts.Count);
        foreach (var (item, a) in alerts)
        {
            Assert.Equal(SourceFormat.SchemalessAvro, item.Format);
            AssertLsstCam(a);
        }
    }

    [Fact]
    public void A_schema_given_elsewhere_reads_them_and_without_one_each_is_a_problem_naming_what_is_missing()
    {
        foreach (var body in Bodies)
        {
            _scratch.Copy(System.IO.Path.Combine(Fixtures.RubinKafka, body), "dump", body);
        }

        var without = new AlertSource([_scratch.Path("dump")]).Read().ToList();
        Assert.Equal(3, without.Count);
        Assert.All(without, i => Assert.Contains("needs its writer schema (--schema FILE, or schema.json beside it)", i.Problem, StringComparison.Ordinal));

        var with = Fixtures.Decode(new AlertSource([_scratch.Path("dump")], new AlertSourceOptions { SchemaFile = System.IO.Path.Combine(Fixtures.RubinKafka, "schema.json") }).Read());
        Assert.Equal(3, with.Count);
        Assert.All(with, a => AssertLsstCam(a.Alert));
    }

    [Fact]
    public void Confluent_framed_bodies_with_a_schema_file_are_unframed_and_read()
    {
        _scratch.Copy(System.IO.Path.Combine(Fixtures.RubinKafka, "schema.json"), "framed", "schema.json");
        foreach (var body in Bodies)
        {
            var bytes = File.ReadAllBytes(System.IO.Path.Combine(Fixtures.RubinKafka, body));
            File.WriteAllBytes(_scratch.Path("framed", body), Broker.Avro.Framing.ConfluentFrame.Frame(702, bytes));
        }

        var framed = Fixtures.Decode(new AlertSource([_scratch.Path("framed")]).Read());
        var plain = Fixtures.Decode(new AlertSource([Fixtures.RubinKafka]).Read());
        Assert.All(framed, a => Assert.Equal(SourceFormat.ConfluentFrame, a.Item.Format));
        Assert.Equal(plain.Select(p => p.Alert.AlertId), framed.Select(f => f.Alert.AlertId));
    }

    [Fact]
    public void A_gzipped_tar_of_bodies_is_read_entry_by_entry_with_the_schema_beside_it()
    {
        var tarball = _scratch.Path("night", "partition0.tar.gz");
        Directory.CreateDirectory(_scratch.Path("night"));
        using (var file = File.Create(tarball))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip))
        {
            foreach (var body in Bodies)
            {
                tar.WriteEntry(System.IO.Path.Combine(Fixtures.RubinKafka, body), body);
            }
        }

        _scratch.Copy(System.IO.Path.Combine(Fixtures.RubinKafka, "schema.json"), "night", "schema.json");
        var source = new AlertSource([tarball]);
        Assert.Null(source.Count());
        var alerts = Fixtures.Decode(source.Read());
        Assert.Equal(Bodies, alerts.Select(a => a.Item.Name));
        Assert.All(alerts, a => AssertLsstCam(a.Alert));
    }

    private static void AssertLsstCam(Alert a)
    {
        Assert.Equal(Survey.Rubin, a.Survey);
        Assert.Equal("lsst.v9_0.alert", a.SchemaVersion);
        Assert.Equal("i", a.Band);
        Assert.All(new[] { a.Science, a.Template, a.Difference }, c => Assert.Equal(CutoutStatus.Fits, c.Status));
        Assert.InRange(a.SurveyScore!.Value, 0.5, 1.0);
        // Visits 2025091900155-156: dayObs (UTC-12 h) 2025-09-19, though the MJD is early on 2025-09-20 UTC.
        Assert.Equal("2025-09-19", ObservingNight.Name(ObservingNight.Of(Survey.Rubin, a.Mjd)));
    }
}
