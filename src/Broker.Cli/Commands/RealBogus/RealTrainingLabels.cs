// Real alerts as labelled training examples (issue 19). Only the training half of the real alerts is used (split by
// object: RealEvaluationSet), and only alerts whose survey's own classifiers are confident. The labels are therefore
// the surveys' models, not human vetting: for ZTF two independent ones must agree (rb, the random forest of the
// Bloom/Brink lineage, and drb, braai's deep network), for Rubin its reliability must be far from the middle. The
// middle band is left out rather than guessed.
using Broker.Alerts.Model;

namespace Broker.Cli.Commands.RealBogus;

internal sealed record RealTrainingLabels(IReadOnlyList<Alert> Alerts, float[] Labels)
{
    public int Count => Alerts.Count;

    public int Real => Labels.Count(l => l >= 0.5f);

    /// <summary>The confidently labelled alerts among <paramref name="training"/> (alerts of training-half objects).</summary>
    public static RealTrainingLabels From(IEnumerable<Alert> training)
    {
        var alerts = new List<Alert>();
        var labels = new List<float>();
        foreach (var a in training)
        {
            if (RealEvaluationSet.InEvaluation(a))
            {
                throw new ArgumentException($"alert {a.AlertId} of {a.ObjectId} belongs to the evaluation half", nameof(training));
            }

            if (Label(a) is { } label)
            {
                alerts.Add(a);
                labels.Add(label ? 1f : 0f);
            }
        }

        return new RealTrainingLabels(alerts, [.. labels]);
    }

    /// <summary>True (real), false (bogus), or null when the survey's scores are missing or not confident.</summary>
    public static bool? Label(Alert alert)
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
