// Training on real alerts stays honest: labels only where the survey's classifiers are confident, never from the
// evaluation half, and no evaluation object's sky hosts a generated training alert; `broker eval generator` measures
// how far the generator is from real alerts.
using System.Globalization;
using System.Text.RegularExpressions;
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Cli.Commands.RealBogus;
using Broker.Models.Evaluation;

namespace Broker.Cli.Tests;

public sealed class RealTrainingTests
{
    private static readonly string Alerts = Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts");
    private static readonly string Fink = Path.Combine(AppContext.BaseDirectory, "fixtures", "fink_parquet");

    [Fact]
    public void Labels_come_from_the_training_half_only_where_the_surveys_are_confident()
    {
        var set = RealEvaluationSet.Load([Alerts, Fink], new AlertDecoder());
        var labels = RealTrainingLabels.From(set.Training);
        Assert.NotEmpty(labels.Alerts);
        Assert.All(labels.Alerts, a => Assert.False(RealAlertSplit.InEvaluation(a)));
        for (var i = 0; i < labels.Count; i++)
        {
            var a = labels.Alerts[i];
            if (a.Survey == Survey.Ztf)
            {
                var (rb, drb) = (a.SourceNumber("rb"), a.SourceNumber("drb"));
                Assert.True(labels.Labels[i] == 1f ? rb >= 0.65 && drb >= 0.9 : rb <= 0.35 && drb <= 0.1, $"rb {rb} drb {drb} label {labels.Labels[i]}");
            }
            else
            {
                Assert.True(labels.Labels[i] == 1f ? a.SurveyScore >= 0.8 : a.SurveyScore <= 0.2);
            }
        }

        // Alerts in the middle band are left out, not guessed.
        var unlabelled = set.Training.Where(a => RealTrainingLabels.Label(a) is null).ToList();
        Assert.NotEmpty(unlabelled);
        Assert.Throws<ArgumentException>(() => RealTrainingLabels.From(set.Evaluation));
    }

    [Fact]
    public void No_object_of_the_evaluation_half_hosts_a_training_scene()
    {
        var decoder = new AlertDecoder();
        var library = RealBogusCommands.TrainingScenes([Alerts], decoder);
        var all = Broker.Simulation.Scenes.SceneLibrary.Load([Alerts], decoder);
        Assert.NotEmpty(library.Train);
        Assert.DoesNotContain(library.Train, s => RealAlertSplit.InEvaluation(s.Source));
        Assert.Contains(all.Train, s => RealAlertSplit.InEvaluation(s.Source)); // without the rule there would be some
        Assert.Equal(all.HeldOut.Select(s => s.Source.AlertId), library.HeldOut.Select(s => s.Source.AlertId));
    }

    [Fact]
    public void Eval_generator_reports_per_survey_and_per_kind()
    {
        // The fixtures hold 14 usable real ZTF alerts: enough to run the measure end to end, not to trust its figures.
        var (code, output, error) = BrokerProcess.Run(TimeSpan.FromSeconds(240), "eval", "generator", Alerts, "--generated", "300", "--min-real", "10", "--repeats", "1");
        Assert.True(code == 0, output + error);
        var last = output.Trim().Split('\n')[^1];
        Assert.StartsWith("eval_generator=1 ztf_real=", last, StringComparison.Ordinal);
        foreach (var key in new[] { "ztf_features_auc", "ztf_cutouts_auc", "ztf_real_isolated_features", "ztf_cosmic_ray_cutouts" })
        {
            var value = double.Parse(Regex.Match(last, key + @"=(\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.InRange(value, 0, 1);
        }

        Assert.Contains("features that tell real injections", output, StringComparison.Ordinal);
    }
}
