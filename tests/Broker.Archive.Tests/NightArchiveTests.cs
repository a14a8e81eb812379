// The archive as researchers get it: every annotated alert under its survey night, read back byte for byte (the
// alert's own bytes and its annotation), the index opened by DuckDB (not our reader) agreeing with the annotations,
// the snapshots kept, an exact replay reproducing every annotation, and a file a crash left open repaired.
using System.Globalization;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Archive.Replay;
using Broker.Avro.Container;
using DuckDB.NET.Data;

namespace Broker.Archive.Tests;

public sealed class NightArchiveTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("broker-archive-");

    private string Root => Path.Combine(_dir.FullName, "archive");

    public void Dispose() => _dir.Delete(recursive: true);

    private static List<ReplayItem> Items(int count) => [.. ArchiveFixture.Alerts.Take(count).Select((m, i) => new ReplayItem($"gen-{i}", m))];

    [Fact]
    public async Task Every_annotated_alert_is_archived_under_its_night_and_reads_back_byte_for_byte()
    {
        var annotated = await ArchiveFixture.ScoreIntoAsync(Root, Items(300));
        Assert.Equal(300, annotated.Count);
        Assert.Contains(annotated, a => a.Annotation.Novelty is not null);

        var nights = ArchiveLayout.Nights(Root);
        var expected = annotated.Select(a => (Broker.Engine.Annotation.AnnotationEncoder.SurveyName(a.Alert.Survey), ObservingNight.Name(ObservingNight.Of(a.Alert.Survey, a.Alert.Mjd))))
            .Distinct().Order().ToList();
        Assert.Equal(expected, nights);

        var byId = annotated.ToDictionary(a => a.Alert.AlertId);
        var decoder = new AlertDecoder();
        var archived = nights.SelectMany(n => ArchiveReader.ReadNight(Root, n.Survey, n.Night).Select(a => (n.Night, a))).ToList();
        Assert.Equal(300, archived.Count);
        foreach (var (night, a) in archived)
        {
            var alert = Assert.Single(decoder.Decode(a.Message));
            Assert.Equal(night, ObservingNight.Name(ObservingNight.Of(alert.Survey, alert.Mjd)));
            var original = byId[alert.AlertId];
            Assert.True(alert.Envelope!.Datum.Span.SequenceEqual(original.Alert.Envelope!.Datum.Span), $"alert {alert.AlertId}: the archived alert bytes differ");
            Assert.Equal(ScoredReplay.Fingerprint(original.Alert, original.Annotation), ScoredReplay.Fingerprint(alert, a.Recorded.Annotation));
        }

        foreach (var id in annotated.Select(a => a.Annotation.Novelty?.SnapshotId).OfType<string>().Distinct())
        {
            Assert.True(File.Exists(ArchiveLayout.SnapshotPath(Root, "ztf", id)) || File.Exists(ArchiveLayout.SnapshotPath(Root, "rubin", id)), $"snapshot {id} not kept");
        }
    }

    [Fact]
    public async Task The_index_opens_with_DuckDB_and_agrees_with_the_annotations()
    {
        var annotated = (await ArchiveFixture.ScoreIntoAsync(Root, Items(120))).ToDictionary(a => a.Alert.AlertId);
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT alert_id, rb, cnn, list_contains(filters, 'real') AS real, f_diff_peak_snr, night, part, record, object_id, mjd FROM read_parquet('{Root}/*/*/*.parquet') ORDER BY alert_id";
        using var reader = command.ExecuteReader();
        var rows = 0;
        var snr = Array.IndexOf(Broker.Features.Catalog.FeatureCatalog.Names, "diff_peak_snr");
        while (reader.Read())
        {
            rows++;
            var a = annotated[reader.GetInt64(0)];
            Assert.Equal(a.Annotation.Rb, reader.GetFloat(1));
            Assert.Equal(a.Annotation.Cnn, reader.IsDBNull(2) ? null : reader.GetFloat(2));
            Assert.Equal(a.Annotation.Filters.Contains("real"), reader.GetBoolean(3));
            Assert.Equal(a.Annotation.Features[snr], reader.GetFloat(4));
            Assert.Equal(ObservingNight.Name(ObservingNight.Of(a.Alert.Survey, a.Alert.Mjd)), reader.GetString(5));
            Assert.Equal(a.Alert.ObjectId, reader.GetString(8));
            Assert.Equal(a.Alert.Mjd, reader.GetDouble(9));

            // The row says where the full record is.
            var part = Path.Combine(Root, Broker.Engine.Annotation.AnnotationEncoder.SurveyName(a.Alert.Survey), reader.GetString(5), reader.GetString(6));
            var record = ArchiveReader.ReadPart(part).ElementAt(reader.GetInt32(7));
            Assert.Equal(a.Alert.AlertId, record.Recorded.AlertId);
        }

        Assert.Equal(120, rows);
    }

    [Fact]
    public async Task An_archive_file_is_a_standard_Avro_file_another_reader_opens()
    {
        await ArchiveFixture.ScoreIntoAsync(Root, Items(60));
        var (survey, night) = ArchiveLayout.Nights(Root).First(n => n.Survey == "ztf");
        foreach (var part in ArchiveLayout.Parts(Root, survey, night))
        {
            // Apache.Avro's own reader: the deflate codec, the schema in the header, the `broker` field last.
            using var reader = global::Avro.File.DataFileReader<global::Avro.Generic.GenericRecord>.OpenReader(part);
            Assert.Equal("deflate", reader.GetMetaString("avro.codec"));
            var records = 0;
            while (reader.HasNext())
            {
                var record = reader.Next();
                var broker = (global::Avro.Generic.GenericRecord)record["broker"];
                Assert.Equal("ztf", broker["survey"]);
                Assert.Equal(((global::Avro.Generic.GenericRecord)record["candidate"])["candid"], broker["alert_id"]);
                records++;
            }

            Assert.Equal(ArchiveReader.ReadPart(part).Count(), records);
        }
    }

    [Fact]
    public async Task An_exact_replay_of_an_archived_night_reproduces_every_annotation()
    {
        var annotated = await ArchiveFixture.ScoreIntoAsync(Root, Items(300));
        var items = ArchiveLayout.Nights(Root).SelectMany(n => ArchiveReader.ReadNight(Root, n.Survey, n.Night))
            .Select(a => new ReplayItem(a.Part + "#" + a.Record.ToString(CultureInfo.InvariantCulture), a.Message, a.Recorded, a.Filters)).ToList();
        var replayed = await ArchiveFixture.ScoreIntoAsync(Path.Combine(_dir.FullName, "again"), items,
            new ScoredReplayOptions { Exact = true, Snapshots = ScoredReplay.ArchiveSnapshots(Root) });

        Assert.Equal(300, replayed.Count);
        Assert.True(replayed.Count(r => r.Annotation.Novelty is not null) > 0, "no annotation had novelty: the test would not check the snapshots");
        foreach (var r in replayed)
        {
            Assert.Equal(ScoredReplay.Fingerprint(r.Alert, r.Recorded!.Annotation), ScoredReplay.Fingerprint(r.Alert, r.Annotation));
        }

        // A replay that learns afresh instead (the default) is another model: it must be told apart.
        Assert.Equal(annotated.Count, replayed.Count);
    }

    [Fact]
    public async Task Files_record_the_subscriptions_in_force_and_an_exact_replay_matches_with_them()
    {
        // One archive, two stretches of the stream under different subscriptions.
        await using (var engine = ArchiveFixture.Engine())
        await using (var archive = ArchiveFixture.Archive(Root))
        {
            archive.Filters = engine.Filters;
            var items = Items(80);
            await ScoredReplay.RunAsync(engine, items.Take(40), archive, new ScoredReplayOptions(), null, null, CancellationToken.None);
            engine.Filters.Replace([new Broker.Filters.FilterDefinition { Name = "bright", Where = "mag < 18" }.Compile()]);
            await ScoredReplay.RunAsync(engine, items.Skip(40), archive, new ScoredReplayOptions(), null, null, CancellationToken.None);
        }

        var archived = ArchiveLayout.Nights(Root).SelectMany(n => ArchiveReader.ReadNight(Root, n.Survey, n.Night)).ToList();
        Assert.Equal(["novel", "real"], archived.Where(a => a.Filters!.Count == 2).SelectMany(a => a.Filters!).Select(f => f.Name).Distinct().Order());
        Assert.Contains(archived, a => a.Filters!.Count == 1 && a.Filters[0].Name == "bright" && a.Recorded.Annotation.Filters.SequenceEqual(["bright"]));
        Assert.Contains(archived, a => a.Recorded.Annotation.Filters.Contains("real"));

        // Replayed by a pipeline whose own subscriptions are neither set: the recorded ones reproduce every list.
        var items2 = archived.Select(a => new ReplayItem(a.Part, a.Message, a.Recorded, a.Filters)).ToList();
        var replayed = await ArchiveFixture.ScoreIntoAsync(Path.Combine(_dir.FullName, "again"), items2,
            new ScoredReplayOptions { Exact = true, Snapshots = ScoredReplay.ArchiveSnapshots(Root) });
        Assert.All(replayed, r => Assert.Equal(r.Recorded!.Annotation.Filters, r.Annotation.Filters));

        // With the replay's own (the fixture's "real" and "novel") instead, the "bright" matches are gone.
        var current = await ArchiveFixture.ScoreIntoAsync(Path.Combine(_dir.FullName, "current"), items2,
            new ScoredReplayOptions { Exact = true, Snapshots = ScoredReplay.ArchiveSnapshots(Root), RecordedFilters = false });
        Assert.DoesNotContain(current, r => r.Annotation.Filters.Contains("bright"));
    }

    [Fact]
    public async Task A_file_a_crash_left_open_is_cut_at_its_last_whole_block_and_indexed_on_restart()
    {
        await ArchiveFixture.ScoreIntoAsync(Root, Items(40));
        var (survey, night) = ArchiveLayout.Nights(Root)[0];
        var part = ArchiveLayout.Parts(Root, survey, night)[0];
        var records = ArchiveReader.ReadPart(part).Count();
        File.Delete(ArchiveLayout.IndexOf(part));

        // The crash: half a block written after the last fsync (its head claims more bytes than follow).
        var bytes = File.ReadAllBytes(part);
        var header = ContainerFile.ReadHeader(bytes);
        var length = bytes.Length;
        await using (var file = new FileStream(part, FileMode.Append))
        {
            file.Write(bytes.AsSpan(header.Length, 100));
        }

        // Another writer's unindexed file is not this writer's to repair.
        var other = Path.Combine(Path.GetDirectoryName(part)!, "other-00001.avro");
        File.Copy(part, other);

        await using (var reopened = ArchiveFixture.Archive(Root))
        {
            Assert.Equal(new RecoveryReport(1, records, 100), reopened.Recovered);
        }

        Assert.Equal(length, new FileInfo(part).Length);
        Assert.True(File.Exists(ArchiveLayout.IndexOf(part)));
        Assert.Equal(records, ArchiveReader.ReadPart(part).Count());
        Assert.False(File.Exists(ArchiveLayout.IndexOf(other)));
    }

    [Fact]
    public async Task A_ztf_nightly_tarball_built_from_alerts_is_scored_into_the_archive()
    {
        var tarball = Path.Combine(_dir.FullName, "ztf_public_20260309.tar.gz");
        await using (var file = File.Create(tarball))
        await using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
        await using (var tar = new System.Formats.Tar.TarWriter(gzip))
        {
            foreach (var (message, i) in ArchiveFixture.Alerts.Take(20).Select((m, i) => (m, i)))
            {
                var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, $"{i}.avro") { DataStream = new MemoryStream(message) };
                await tar.WriteEntryAsync(entry);
            }
        }

        var items = AlertSources.Open([tarball]).Read().Select(m => new ReplayItem(m.Name, m.Message!));
        var annotated = await ArchiveFixture.ScoreIntoAsync(Root, items);
        Assert.Equal(20, annotated.Count);
        Assert.Equal(20, ArchiveLayout.Nights(Root).Sum(n => ArchiveReader.ReadNight(Root, n.Survey, n.Night).Count()));
    }
}
