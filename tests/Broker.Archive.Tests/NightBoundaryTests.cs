// The night rule where it matters, in the archive: real alerts re-timed to either side of each survey's cut land in
// two night folders. ZTF: the UTC date of (time + 4 h), so 19:59 UTC belongs to that date's night and 20:01 UTC to
// the next; Rubin: dayObs (UTC - 12 h), so 11:59 UTC belongs to the previous dayObs and 12:01 UTC to that day's.
using Broker.Archive.Replay;
using Broker.Avro.Container;
using Broker.Avro.Generic;
using Broker.Avro.Schema;

namespace Broker.Archive.Tests;

public sealed class NightBoundaryTests : IDisposable
{
    private static readonly DateTime MjdEpoch = new(1858, 11, 17, 0, 0, 0, DateTimeKind.Utc);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("broker-nights-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Alerts_either_side_of_each_surveys_cut_are_archived_under_two_nights()
    {
        var ztf = File.ReadAllBytes(Directory.EnumerateFiles(Path.Combine(ArchiveFixture.Root, "fixtures", "alerts", "ztf"), "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First());
        var rubin = AlertSources.Open([ArchiveFixture.FinkExport]).Read().First().Message!;
        double Mjd(int hour, int minute) => (new DateTime(2026, 3, 10, hour, minute, 0, DateTimeKind.Utc) - MjdEpoch).TotalDays;
        var items = new List<ReplayItem>
        {
            new("ztf 19:59", Retime(ztf, "candidate", "jd", Mjd(19, 59) + 2400000.5, "candid", 1)),
            new("ztf 20:01", Retime(ztf, "candidate", "jd", Mjd(20, 1) + 2400000.5, "candid", 2)),
            new("rubin 11:59", Retime(rubin, "diaSource", "midpointMjdTai", Mjd(11, 59), "diaSourceId", 3)),
            new("rubin 12:01", Retime(rubin, "diaSource", "midpointMjdTai", Mjd(12, 1), "diaSourceId", 4)),
        };

        var root = Path.Combine(_dir.FullName, "archive");
        var annotated = await ArchiveFixture.ScoreIntoAsync(root, items);
        Assert.Equal(4, annotated.Count);
        Assert.Equal([("rubin", "2026-03-09"), ("rubin", "2026-03-10"), ("ztf", "2026-03-10"), ("ztf", "2026-03-11")], ArchiveLayout.Nights(root));
        Assert.Equal(1L, Assert.Single(ArchiveReader.ReadNight(root, "ztf", "2026-03-10")).Recorded.AlertId);
        Assert.Equal(2L, Assert.Single(ArchiveReader.ReadNight(root, "ztf", "2026-03-11")).Recorded.AlertId);
        Assert.Equal(3L, Assert.Single(ArchiveReader.ReadNight(root, "rubin", "2026-03-09")).Recorded.AlertId);
        Assert.Equal(4L, Assert.Single(ArchiveReader.ReadNight(root, "rubin", "2026-03-10")).Recorded.AlertId);
    }

    [Fact]
    public async Task With_a_speed_alerts_keep_the_nights_own_timing_scaled()
    {
        var ztf = File.ReadAllBytes(Directory.EnumerateFiles(Path.Combine(ArchiveFixture.Root, "fixtures", "alerts", "ztf"), "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First());
        double Jd(int second) => (new DateTime(2026, 3, 10, 6, 0, second, DateTimeKind.Utc) - MjdEpoch).TotalDays + 2400000.5;
        var items = new List<ReplayItem>
        {
            new("first", Retime(ztf, "candidate", "jd", Jd(0), "candid", 1)),
            new("30 s later", Retime(ztf, "candidate", "jd", Jd(30), "candid", 2)),
        };

        // Thirty seconds of the night at speed 10: the second alert is not scored before 3 s have passed.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var annotated = await ArchiveFixture.ScoreIntoAsync(Path.Combine(_dir.FullName, "paced"), items, new ScoredReplayOptions { Speed = 10 });
        Assert.Equal([1L, 2L], annotated.Select(a => a.Alert.AlertId));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.9), $"took {clock.Elapsed.TotalSeconds:F1} s");
    }

    // The alert of a one-record container file with its detection's time and id replaced (the id keeps the two apart).
    private static byte[] Retime(byte[] message, string detection, string timeField, double time, string idField, long id)
    {
        var contents = ContainerFile.Read(message);
        var alert = contents.Records[0].AsRecord();
        var source = alert[detection].AsRecord();
        var values = source.Values.ToArray();
        values[source.Schema.IndexOf(timeField)] = AvroValue.FromDouble(time);
        values[source.Schema.IndexOf(idField)] = AvroValue.FromLong(id);
        var top = alert.Values.ToArray();
        top[alert.Schema.IndexOf(detection)] = AvroValue.FromRecord(new AvroRecord(source.Schema, values));
        if (alert.Schema.IndexOf(idField) >= 0)
        {
            top[alert.Schema.IndexOf(idField)] = AvroValue.FromLong(id);
        }

        var schema = (AvroSchema)alert.Schema;
        return ContainerFileWriter.WriteEncoded(SchemaWriter.ToJson(schema), [GenericWriter.Encode(schema, AvroValue.FromRecord(new AvroRecord(alert.Schema, top)))], "null", 1);
    }
}
