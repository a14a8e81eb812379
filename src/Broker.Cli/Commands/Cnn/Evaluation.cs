// The CNN evaluation shared by `train cnn` and `eval cnn`: the CNN, the boosted trees and their stack on the
// same held-out generated alerts (per artifact family and SNR bin) and on the same real ZTF alerts; and what the
// likely_real subscription (combined >= its threshold and positive) lets through of the generated alerts.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Broker.Cli.Commands.RealBogus;
using Broker.Models.Cnn;
using Broker.Models.Evaluation;
using Broker.Models.RealBogus;

namespace Broker.Cli.Commands.Cnn;

internal sealed record Evaluation(
    ClassifierReport Cnn, ClassifierReport Rb, ClassifierReport Combined,
    SurveyAgreement CnnReal, SurveyAgreement RbReal, SurveyAgreement CombinedReal, ThresholdPass LikelyReal)
{
    public static Evaluation Run(CnnModel cnn, RealBogusModel rb, CombinedScore combined, LabeledFeatures test, RealAlertScores real, double likelyReal = SurveyStackCommand.ServedLikelyReal)
    {
        var cnnScores = CnnCommands.Scores(cnn, test);
        var rbScores = CnnCommands.Scores(rb, test);
        var both = new float[test.Count];
        combined.Score(rbScores, cnnScores, both);

        var realCnn = new float[real.Count];
        cnn.Score(real.Tensors(), real.Count, realCnn);
        var realRb = new float[real.Count];
        rb.Score(real.Vectors, real.Count, realRb);
        var realBoth = new float[real.Count];
        combined.Score(realRb, realCnn, realBoth);
        return new Evaluation(
            ClassifierReport.Of(test.Scored(cnnScores)), ClassifierReport.Of(test.Scored(rbScores)), ClassifierReport.Of(test.Scored(both)),
            SurveyAgreement.Of(real.Scored(realCnn)), SurveyAgreement.Of(real.Scored(realRb)), SurveyAgreement.Of(real.Scored(realBoth)),
            ThresholdPass.Of(test.Gated(both), likelyReal));
    }

    public string ToText()
    {
        var sb = new StringBuilder();
        sb.Append(Cnn.ToText("CNN, held-out generated set"));
        sb.Append(CnnReal.ToText());
        sb.Append(Rb.ToText("boosted trees, same alerts"));
        sb.Append(RbReal.ToText());
        sb.Append(Combined.ToText("combined (stacked) score, same alerts"));
        sb.Append(CombinedReal.ToText());
        sb.Append(LikelyReal.ToText("likely_real on the held-out generated set (combined, 95% intervals over host scenes)"));
        return sb.ToString();
    }

    public JsonObject ToJson() => new()
    {
        ["held_out"] = Cnn.ToJson(),
        ["real_alerts"] = CnnReal.ToJson(),
        ["rb_held_out"] = Rb.ToJson(),
        ["combined_held_out"] = Combined.ToJson(),
        ["combined_real_alerts"] = CombinedReal.ToJson(),
        ["likely_real_held_out"] = LikelyReal.ToJson(),
    };

    public string KeyValues(string what, string id, double seconds) => string.Create(CultureInfo.InvariantCulture,
        $"{what}=1 model={id} mdr_at_1pct_fpr={Cnn.MissedAt1PctFpr:F4} auc={Cnn.Auc:F4} rb_mdr_at_1pct_fpr={Rb.MissedAt1PctFpr:F4} rb_auc={Rb.Auc:F4} " +
        $"combined_mdr_at_1pct_fpr={Combined.MissedAt1PctFpr:F4} combined_auc={Combined.Auc:F4} n={Cnn.Count} real_n={CnnReal.Count} " +
        $"spearman_drb={CnnReal.SpearmanDrb:F3} auc_vs_drb={CnnReal.AucVsDrbLabels:F3} combined_spearman_drb={CombinedReal.SpearmanDrb:F3} " +
        $"combined_auc_vs_drb={CombinedReal.AucVsDrbLabels:F3} likely_real_bogus_pass={LikelyReal.BogusPassRate:F4} likely_real_reals_kept={LikelyReal.RealsKeptRate:F4} seconds={seconds:F0}");
}
