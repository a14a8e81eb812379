// The rules that decide what a real alert may be used for (issue 19, 29): which half of the real alerts it belongs
// to, split by object so no object is ever on both sides (an object is in the evaluation half when the FNV-1a hash of
// its survey and object id is even; the rule is a property of the object alone, so adding alerts never moves one),
// and which label its survey's own classifiers give it when they are confident. The labels are the surveys' models,
// not human vetting: for ZTF two independent ones must agree (rb, the random forest of the Bloom/Brink lineage, and
// drb, braai's deep network); for Rubin its reliability must be far from the middle. The middle band is left out
// rather than guessed.
using System.Globalization;
using Broker.Alerts.Model;

namespace Broker.Models.Evaluation;

public static class RealAlertSplit
{
    /// <summary>True when the alert's object belongs to the evaluation half (alerts without an object: by alert id).</summary>
    public static bool InEvaluation(Alert alert) => (ObjectHash(alert) & 1) == 0;

    /// <summary>FNV-1a of the alert's survey and object id (or alert id when it has no object): the split's key.</summary>
    public static ulong ObjectHash(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var key = (alert.Survey == Survey.Ztf ? "ztf:" : "rubin:") + (alert.ObjectId.Length > 0 ? alert.ObjectId : "alert:" + alert.AlertId.ToString(CultureInfo.InvariantCulture));
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>
    /// True (real), false (bogus), or null when the survey's scores are missing or not confident. ZTF: real if
    /// rb >= 0.65 and drb >= 0.9, bogus if rb <= 0.35 and drb <= 0.1. Rubin: real if reliability >= 0.8, bogus if <= 0.2.
    /// </summary>
    public static bool? ConfidentLabel(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.Survey == Survey.Ztf)
        {
            var (rb, drb) = (alert.SourceNumber("rb"), alert.SourceNumber("drb"));
            return double.IsNaN(rb) || double.IsNaN(drb) ? null
                : rb >= 0.65 && drb >= 0.9 ? true
                : rb <= 0.35 && drb <= 0.1 ? false
                : null;
        }

        return alert.SurveyScore is not { } reliability || double.IsNaN(reliability) ? null
            : reliability >= 0.8 ? true
            : reliability <= 0.2 ? false
            : null;
    }
}
