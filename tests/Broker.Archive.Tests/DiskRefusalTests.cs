// A disk that refuses the archive's writes (full, below archive.min_free_mib, or a path it cannot write) holds the
// records instead of failing the pipeline: nothing is acknowledged, the archive says why (/health degraded), and it
// writes everything once the disk takes writes again, each record once, the files whole. A stop while it refuses is
// not held up. Temporaries a refused or interrupted write left are removed at the next start.
using Broker.Archive.Replay;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Archive.Tests;

public sealed class DiskRefusalTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("broker-refusal-");

    private string Root => Path.Combine(_dir.FullName, "archive");

    public void Dispose() => _dir.Delete(recursive: true);

    // Annotated alerts as the pipeline hands them to the archive.
    private async Task<List<ReplayedAlert>> AnnotatedAsync(int count) =>
        await ArchiveFixture.ScoreIntoAsync(Path.Combine(_dir.FullName, "scratch"), [.. ArchiveFixture.Alerts.Take(count).Select((m, i) => new ReplayItem($"gen-{i}", m))]);

    [Fact]
    public async Task Records_wait_while_the_night_folder_cannot_be_written_and_land_once_when_it_can()
    {
        // The alerts of one survey night (the generated stream mixes the fixtures' nights).
        static string Night(ReplayedAlert a) => Broker.Alerts.Model.ObservingNight.Name(Broker.Alerts.Model.ObservingNight.Of(a.Alert.Survey, a.Alert.Mjd));
        var alerts = (await AnnotatedAsync(120)).Where(a => a.Alert.Survey == Broker.Alerts.Model.Survey.Ztf).GroupBy(Night).MaxBy(g => g.Count())!.ToList();
        Assert.True(alerts.Count >= 10, $"{alerts.Count} alerts of one night");
        var nights = new List<string> { Night(alerts[0]) };
        await using var archive = ArchiveFixture.Archive(Root);

        // A file stands where the night's folder must go (as a disk that refuses writes would): nothing can be written.
        Directory.CreateDirectory(Path.Combine(Root, "ztf"));
        var blocked = Path.Combine(Root, "ztf", nights[0]);
        File.WriteAllText(blocked, "not a folder");
        var waiting = alerts.Select(a => archive.StoreAsync(a.Alert, a.Annotation, 2, CancellationToken.None).AsTask()).ToList();
        Assert.True(SpinWait.SpinUntil(() => archive.Problem is not null, Limit), "the archive never said it was refused");
        await Task.Delay(500);
        Assert.All(waiting, t => Assert.False(t.IsCompleted)); // not acknowledged, not failed: held
        Assert.Null(archive.Failure);
        Assert.Equal(0, archive.Stored);

        File.Delete(blocked);
        await Task.WhenAll(waiting).WaitAsync(Limit);
        Assert.Null(archive.Problem);
        Assert.Equal(alerts.Count, archive.Stored);
        await archive.DisposeAsync();

        var read = nights.SelectMany(n => ArchiveReader.ReadNight(Root, "ztf", n)).ToList();
        Assert.Equal(alerts.Count, read.Count);
        Assert.Equal(read.Count, read.Select(r => r.Recorded.AlertId).Distinct().Count()); // each record once
    }

    [Fact]
    public async Task Below_min_free_the_archive_holds_then_resumes_by_itself_and_a_stop_is_not_held_up()
    {
        var alerts = await AnnotatedAsync(12);
        long free = 1L << 20; // 1 MiB, below the default 256 MiB
        await using (var archive = ArchiveFixture.Archive(Root))
        {
            archive.FreeBytes = _ => Volatile.Read(ref free);
            var waiting = alerts.Take(6).Select(a => archive.StoreAsync(a.Alert, a.Annotation, 1, CancellationToken.None).AsTask()).ToList();
            Assert.True(SpinWait.SpinUntil(() => archive.Problem is not null, Limit));
            Assert.Contains("below archive.min_free_mib (256)", archive.Problem?.Reason, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(Root, "ztf")) || Directory.Exists(Path.Combine(Root, "ztf"))); // nothing written

            Volatile.Write(ref free, 10L << 30);
            await Task.WhenAll(waiting).WaitAsync(Limit);
            Assert.Null(archive.Problem);

            // Full again, then stopped: the stop returns at once and the held records fail (left uncommitted).
            Volatile.Write(ref free, 0);
            var held = alerts.Skip(6).Select(a => archive.StoreAsync(a.Alert, a.Annotation, 1, CancellationToken.None).AsTask()).ToList();
            Assert.True(SpinWait.SpinUntil(() => archive.Problem is not null, Limit));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await archive.DisposeAsync();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the stop took {clock.Elapsed}");
            Assert.All(held, t => Assert.True(t.IsFaulted));
        }

        Assert.Equal(6, ArchiveLayout.Nights(Root).Sum(n => ArchiveReader.ReadNight(Root, n.Survey, n.Night).Count()));
    }

    [Fact]
    public async Task A_batch_tool_that_does_not_wait_for_space_fails_at_once_with_the_reason()
    {
        var alerts = await AnnotatedAsync(2);
        await using var archive = new NightArchive(new ArchiveOptions { Directory = Root, Writer = "replay", WaitForSpace = false }, NullLogger.Instance)
        {
            FreeBytes = _ => 0,
        };
        var e = await Assert.ThrowsAsync<IOException>(() => archive.StoreAsync(alerts[0].Alert, alerts[0].Annotation, 1, CancellationToken.None).AsTask().WaitAsync(Limit));
        Assert.Contains("below archive.min_free_mib", e.Message, StringComparison.Ordinal);
        Assert.NotNull(archive.Failure);
    }

    [Fact]
    public void A_commit_the_disk_refused_is_rolled_back_to_its_last_whole_block()
    {
        var decoded = ArchiveFixture.Alerts.Select(m => new Broker.Alerts.Decoding.AlertDecoder(decodeCutouts: false).Decode(m)[0]).ToList();
        var alerts = decoded.Where(a => ReferenceEquals(a.Raw.Schema, decoded[0].Raw.Schema)).Take(3).ToList(); // one file, one schema
        Assert.Equal(3, alerts.Count);
        var path = Path.Combine(_dir.FullName, "part", "test-000001.avro");
        var part = ArchivePart.Create(path, Broker.Engine.Annotation.OutputFormat.ExtendedSchemaJson(alerts[0].Raw.Schema),
            Broker.Avro.Schema.SchemaWriter.ToJson(alerts[0].Raw.Schema), null, "null", "ztf", "2018-02-01", "test", "[]");
        var annotation = new System.Buffers.ArrayBufferWriter<byte>();
        void Add(Broker.Alerts.Model.Alert alert)
        {
            annotation.ResetWrittenCount();
            var a = new Broker.Engine.Annotation.AlertAnnotation
            {
                Source = new Broker.Engine.Annotation.SourcePosition("t", 0, 0),
                Features = new float[Broker.Features.Catalog.FeatureCatalog.Count],
                Rb = 0.5f,
                RbModel = "rb",
                IngestTimeMs = 1,
            };
            Broker.Engine.Annotation.AnnotationEncoder.Write(annotation, alert, a, 2);
            part.Add(IndexRow.Of(alert, "2018-02-01", a, 2), alert.Envelope!.Datum, annotation.WrittenSpan.ToArray());
        }

        Add(alerts[0]);
        part.WriteBlock();
        part.Sync();
        var mark = part.Mark();

        // A commit written but refused at its fsync: rolled back, the file is as it was after the first.
        Add(alerts[1]);
        part.WriteBlock();
        Assert.True(part.RollBack(mark));
        Assert.Equal(mark.Length, new FileInfo(path).Length);
        Assert.Equal(1, part.Records);

        Add(alerts[2]);
        part.Close();
        Assert.Equal([alerts[0].AlertId, alerts[2].AlertId], ArchiveReader.ReadPart(path).Select(r => r.Recorded.AlertId));
    }

    [Fact]
    public async Task Temporaries_an_interrupted_write_left_are_removed_at_start_but_not_another_writers()
    {
        var night = Path.Combine(Root, "ztf", "2018-02-01");
        var snapshots = Path.Combine(Root, "ztf", "snapshots");
        Directory.CreateDirectory(night);
        Directory.CreateDirectory(snapshots);
        File.WriteAllBytes(Path.Combine(night, "test-000001.parquet.tmp"), []);
        File.WriteAllBytes(Path.Combine(night, "other-000001.parquet.tmp"), []);
        File.WriteAllBytes(Path.Combine(snapshots, "nov-1.snapshot.999999999.tmp"), []);
        File.WriteAllBytes(Path.Combine(snapshots, $"nov-2.snapshot.{Environment.ProcessId}.tmp"), []);
        File.WriteAllBytes(Path.Combine(snapshots, "nov-3.snapshot.0123456789ab.999999999.tmp"), []); // today's form: <unique>.<pid>
        File.WriteAllBytes(Path.Combine(snapshots, $"nov-4.snapshot.0123456789ab.{Environment.ProcessId}.tmp"), []);

        await using var archive = new NightArchive(new ArchiveOptions { Directory = Root, Writer = "test" }, NullLogger.Instance);
        Assert.Equal(3, archive.Recovered.TemporariesRemoved);
        Assert.Equal(["other-000001.parquet.tmp"], Directory.GetFiles(night).Select(Path.GetFileName));
        Assert.Equal([$"nov-2.snapshot.{Environment.ProcessId}.tmp", $"nov-4.snapshot.0123456789ab.{Environment.ProcessId}.tmp"], Directory.GetFiles(snapshots).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
