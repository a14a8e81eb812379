// The split of the real alerts and the confident-label rule, on the fixtures' real alerts: every alert of an object
// on one side, the key pinned to an independent computation, and labels only where the survey's scores are confident.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Models.Evaluation;

namespace Broker.Models.Tests;

public sealed class RealAlertSplitTests
{
    private static List<Alert> FixtureAlerts()
    {
        var decoder = new AlertDecoder();
        var alerts = new List<Alert>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts"), "*.avro", SearchOption.AllDirectories))
        {
            try
            {
                alerts.AddRange(decoder.Decode(File.ReadAllBytes(path)));
            }
            catch (AlertDecodeException)
            {
                // the fixtures include corrupt and schema-less messages on purpose
            }
        }

        return alerts;
    }

    [Fact]
    public void Every_alert_of_an_object_is_on_the_same_side_and_both_sides_are_used()
    {
        var alerts = FixtureAlerts();
        Assert.True(alerts.Count >= 10, $"{alerts.Count} fixture alerts");
        foreach (var group in alerts.Where(a => a.ObjectId.Length > 0).GroupBy(a => (a.Survey, a.ObjectId)))
        {
            Assert.Single(group.Select(RealAlertSplit.InEvaluation).Distinct());
        }

        Assert.Contains(alerts, RealAlertSplit.InEvaluation);
        Assert.Contains(alerts, a => !RealAlertSplit.InEvaluation(a));
    }

    [Fact]
    public void The_key_is_fnv1a_of_survey_and_object_as_an_independent_implementation_computes_it()
    {
        // Python: h = 14695981039346656037; for c in "ztf:ZTF17aadcvhq": h = ((h ^ ord(c)) * 1099511628211) % 2**64
        var alert = FixtureAlerts().First(a => a.ObjectId == "ZTF17aadcvhq");
        Assert.Equal(16349896780508824639UL, RealAlertSplit.ObjectHash(alert));
        Assert.False(RealAlertSplit.InEvaluation(alert)); // odd: the training half
    }

    [Fact]
    public void Labels_come_only_from_confident_survey_scores()
    {
        var alerts = FixtureAlerts();
        var labelled = 0;
        foreach (var a in alerts)
        {
            var label = RealAlertSplit.ConfidentLabel(a);
            labelled += label is null ? 0 : 1;
            if (a.Survey == Survey.Ztf)
            {
                var (rb, drb) = (a.SourceNumber("rb"), a.SourceNumber("drb"));
                Assert.Equal(rb >= 0.65 && drb >= 0.9 ? true : rb <= 0.35 && drb <= 0.1 ? false : null, label);
            }
            else
            {
                var reliability = a.SurveyScore ?? double.NaN;
                Assert.Equal(reliability >= 0.8 ? true : reliability <= 0.2 ? false : null, label);
            }
        }

        Assert.InRange(labelled, 1, alerts.Count - 1);
    }
}
