// The real-alert evaluation set: split by object (no object on both sides, whatever else is loaded), and
// `broker eval real` reporting the served models against ZTF rb, ZTF drb and Rubin reliability.
using System.Text.RegularExpressions;
using Broker.Alerts.Decoding;
using Broker.Cli.Commands.RealBogus;

namespace Broker.Cli.Tests;

public sealed class EvalRealTests
{
    private static readonly string Alerts = Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts");
    private static readonly string Fink = Path.Combine(AppContext.BaseDirectory, "fixtures", "fink_parquet");

    [Fact]
    public void No_object_is_on_both_sides_and_an_objects_side_does_not_depend_on_what_else_is_loaded()
    {
        var both = RealEvaluationSet.Load([Alerts, Fink], new AlertDecoder());
        Assert.NotEmpty(both.Evaluation);
        Assert.NotEmpty(both.Training);
        var evaluation = both.Evaluation.Select(a => (a.Survey, a.ObjectId)).ToHashSet();
        Assert.DoesNotContain(both.Training, a => evaluation.Contains((a.Survey, a.ObjectId)));
        Assert.Contains(both.Evaluation.Concat(both.Training), a => a.Survey == Broker.Alerts.Model.Survey.Rubin);

        var ztfOnly = RealEvaluationSet.Load([Alerts], new AlertDecoder());
        Assert.Equal(ztfOnly.Evaluation.Select(a => a.AlertId).Order(), both.Evaluation.Where(a => a.Survey == Broker.Alerts.Model.Survey.Ztf).Select(a => a.AlertId).Order());
    }

    [Fact]
    public void Eval_real_reports_agreement_with_the_three_references()
    {
        var (code, output, error) = BrokerProcess.Run(TimeSpan.FromSeconds(120), "eval", "real", Alerts, Fink);
        Assert.True(code == 0, output + error);
        var last = output.Trim().Split('\n')[^1];
        Assert.Matches(@"^eval_real=1 n=\d+ ztf_n=\d+ rubin_n=\d+ drb_n=\d+ trees_auc_drb=\S+ cnn_auc_drb=\S+ combined_auc_drb=\S+ ztf_rb_auc_drb=\S+ ", last);
        Assert.Contains("against Rubin reliability >= 0.5", output, StringComparison.Ordinal);
        Assert.True(int.Parse(Regex.Match(last, @" n=(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public void Eval_real_all_scores_every_alert_of_outside_data_with_intervals()
    {
        var layouts = Path.Combine(AppContext.BaseDirectory, "fixtures", "ztf_parquet", "layouts");
        var split = RealEvaluationSet.Load([layouts, Alerts], new AlertDecoder());
        var (code, output, error) = BrokerProcess.Run(TimeSpan.FromSeconds(120), "eval", "real", "--all", layouts, Alerts);
        Assert.True(code == 0, output + error);
        var last = output.Trim().Split('\n')[^1];
        Assert.Contains($" n={split.Evaluation.Count + split.Training.Count} ", last, StringComparison.Ordinal);
        Assert.True(split.Training.Count > 0, "the split would have left some out");
        Assert.Matches(@"against ZTF drb >= 0\.5 \(n=\d+, \d+ positive\): trees AUC [\d.]+ \[[\d.]+, [\d.]+\]", output);
    }
}
