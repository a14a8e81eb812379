// Real alerts as labelled training examples (issue 19): the training half of the real alerts, and only alerts whose
// survey's own classifiers are confident (the rules are RealAlertSplit's, in Broker.Models).
using Broker.Alerts.Model;
using Broker.Models.Evaluation;

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
            if (RealAlertSplit.InEvaluation(a))
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

    /// <summary>True (real), false (bogus), or null when the survey's scores are missing or not confident (RealAlertSplit.ConfidentLabel).</summary>
    public static bool? Label(Alert alert) => RealAlertSplit.ConfidentLabel(alert);
}
