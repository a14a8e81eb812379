// The end-of-replay report on hand-made annotations of real decoded alerts: a comparison counts the filter matches
// gained and lost and the score shifts, an exact replay names what differed, and the novel list keeps only the
// alerts whose real score reaches the threshold it was given.
using System.Text.RegularExpressions;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Archive.Replay;
using Broker.Engine.Annotation;
using Broker.Features.Catalog;

namespace Broker.Archive.Tests;

public sealed partial class ReplayReportTests
{
    private static readonly AlertDecoder Decoder = new();

    private static Alert AlertAt(int i) => Decoder.Decode(ArchiveFixture.Alerts[i])[0];

    private static AlertAnnotation Annotation(float rb, float? combined = null, float? novelty = null, params string[] filters) => new()
    {
        Source = new SourcePosition("alerts", 0, 1),
        Features = new float[FeatureCatalog.Count],
        Rb = rb,
        RbModel = "rb-test",
        RbCombined = combined,
        Novelty = novelty is { } n ? new NoveltyAnnotation(n, "photometry", [new("photometry", n)], [new("lc_color", n)], "nov-test") : null,
        Filters = filters,
        IngestTimeMs = 1,
    };

    private static ReplayedAlert Replayed(int i, AlertAnnotation now, AlertAnnotation? recorded)
    {
        var alert = AlertAt(i);
        return new ReplayedAlert($"alert{i}", alert, now, recorded is null ? null : new RecordedAnnotation("ZTF", alert.AlertId, recorded, 0));
    }

    private static string Printed(ReplayReport report, ReplayMode mode)
    {
        using var text = new StringWriter();
        report.Print(text, new ReplayCounts(), mode);
        return Spaces().Replace(text.ToString(), " ");
    }

    [Fact]
    public void A_comparison_counts_filter_matches_gained_and_lost_and_scores_that_crossed()
    {
        var report = new ReplayReport(0.5f);
        report.Add(Replayed(0, Annotation(0.9f, filters: "real"), Annotation(0.9f, filters: "real")));
        report.Add(Replayed(1, Annotation(0.4f), Annotation(0.6f, filters: "real")));
        report.Add(Replayed(2, Annotation(0.7f, filters: ["real", "novel"]), Annotation(0.3f)));

        Assert.Equal(1, report.Identical);
        Assert.Equal(2, report.Differing);
        var text = Printed(report, ReplayMode.Compare);
        Assert.Contains("compared with the recorded annotations: 1 identical, 2 changed", text, StringComparison.Ordinal);
        Assert.Contains("filter real recorded 2 now 2 gained 1 lost 1", text, StringComparison.Ordinal);
        Assert.Contains("filter novel recorded 0 now 1 gained 1 lost 0", text, StringComparison.Ordinal);
        Assert.Contains("rb mean |shift| 0.2000 max |shift| 0.4000 crossed 0.5 up 1, down 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exact_replay_names_what_differed()
    {
        var report = new ReplayReport(0.5f);
        report.Add(Replayed(0, Annotation(0.25f), Annotation(0.75f)));

        var text = Printed(report, ReplayMode.Exact);
        Assert.Contains("exact replay: 0 of 1 annotations identical", text, StringComparison.Ordinal);
        Assert.Contains($"differs: alert0 alert {AlertAt(0).AlertId}: rb 0.75 -> 0.25", text, StringComparison.Ordinal);
        Assert.DoesNotContain("compared with", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_novel_list_keeps_only_alerts_at_or_above_the_real_threshold_it_was_given()
    {
        var strict = new ReplayReport(0.9f);
        var lenient = new ReplayReport(0.5f);
        foreach (var report in new[] { strict, lenient })
        {
            // Real score is rb_combined when present, else rb.
            report.Add(Replayed(0, Annotation(0.95f, combined: 0.6f, novelty: 0.8f), null));
            report.Add(Replayed(1, Annotation(0.2f, combined: 0.95f, novelty: 0.7f), null));
        }

        var strictText = Printed(strict, ReplayMode.Score);
        Assert.Contains($" 1. ztf {AlertAt(1).AlertId} ", strictText, StringComparison.Ordinal);
        Assert.DoesNotContain($"ztf {AlertAt(0).AlertId} ", strictText, StringComparison.Ordinal);

        var lenientText = Printed(lenient, ReplayMode.Score);
        Assert.Contains($" 1. ztf {AlertAt(0).AlertId} ", lenientText, StringComparison.Ordinal);
        Assert.Contains($" 2. ztf {AlertAt(1).AlertId} ", lenientText, StringComparison.Ordinal);

        var none = new ReplayReport(0.99f);
        none.Add(Replayed(0, Annotation(0.95f, novelty: 0.8f), null));
        Assert.Contains("most novel: none likely real scored", Printed(none, ReplayMode.Score), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_survey_night_gets_its_own_counts()
    {
        var report = new ReplayReport(0.5f);
        for (var i = 0; i < 3; i++)
        {
            report.Add(Replayed(0, Annotation(i == 0 ? 0.2f : 0.8f, filters: "real"), null));
        }

        var text = Printed(report, ReplayMode.Score);
        var night = ObservingNight.Name(ObservingNight.Of(AlertAt(0).Survey, AlertAt(0).Mjd));
        Assert.Contains($"night ztf {night}: 3 alerts; rb >= 0.5: 2; rb_combined >= 0.9: 0; CNN scored: 0", text, StringComparison.Ordinal);
        Assert.Contains("filter real 3 matches", text, StringComparison.Ordinal);
    }

    [GeneratedRegex(" +")]
    private static partial Regex Spaces();
}
