// How a score agrees with a survey's own real/bogus scores on real alerts (no human labels exist here):
// Spearman rank correlation with ZTF rb (random forest) and drb (deep, braai), and the AUC of the score
// against drb >= 0.5 taken as labels. ZTF's rb against the same labels is reported for scale.
using System.Globalization;
using System.Text.Json.Nodes;

namespace Broker.Models.Evaluation;

public sealed record SurveyScored(long AlertId, float Score, float Rb, float Drb);

public sealed record SurveyAgreement(int Count, int WithDrb, double SpearmanRb, double SpearmanDrb, double AucVsDrbLabels, double RbAucVsDrbLabels)
{
    public static SurveyAgreement Of(IReadOnlyList<SurveyScored> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var scores = items.Select(i => i.Score).ToArray();
        var withDrb = items.Where(i => !float.IsNaN(i.Drb)).ToList();
        var labels = withDrb.Select(i => i.Drb >= 0.5f).ToArray();
        return new SurveyAgreement(
            items.Count,
            withDrb.Count,
            Metrics.Spearman(scores, items.Select(i => i.Rb).ToArray()),
            Metrics.Spearman(scores, items.Select(i => i.Drb).ToArray()),
            Metrics.RocAuc(withDrb.Select(i => i.Score).ToArray(), labels),
            Metrics.RocAuc(withDrb.Select(i => i.Rb).ToArray(), labels));
    }

    public string ToText() => string.Create(CultureInfo.InvariantCulture,
        $"real ZTF alerts of the evaluation half: n={Count} spearman(rb)={SpearmanRb:F3} spearman(drb)={SpearmanDrb:F3} auc(drb>=0.5 as labels, n={WithDrb})={AucVsDrbLabels:F3} (ZTF rb on the same labels: {RbAucVsDrbLabels:F3})\n");

    public JsonObject ToJson() => new()
    {
        ["n"] = Count,
        ["n_with_drb"] = WithDrb,
        ["spearman_rb"] = Metrics.Json(SpearmanRb),
        ["spearman_drb"] = Metrics.Json(SpearmanDrb),
        ["auc_vs_drb_labels"] = Metrics.Json(AucVsDrbLabels),
        ["ztf_rb_auc_vs_drb_labels"] = Metrics.Json(RbAucVsDrbLabels),
    };
}
