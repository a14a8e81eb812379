// Real alert files scored next to the survey's own rb/drb, for agreement figures. Only the evaluation half of the
// real alerts counts (RealEvaluationSet: by object, never trained on); alerts without FITS cutouts are left out; the
// same alert in several schema versions counts once.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Models.Cnn;
using Broker.Models.Evaluation;

namespace Broker.Cli.Commands.RealBogus;

internal sealed record RealAlertScores(IReadOnlyList<Alert> Alerts, float[] Vectors)
{
    public delegate void Scorer(ReadOnlySpan<float> vectors, int count, Span<float> scores);

    public int Count => Alerts.Count;

    public static List<SurveyScored> Score(IEnumerable<string> paths, AlertDecoder decoder, Scorer scorer)
    {
        var set = Load(paths, decoder);
        var scores = new float[set.Count];
        scorer(set.Vectors, set.Count, scores);
        return set.Scored(scores);
    }

    public static RealAlertScores Load(IEnumerable<string> paths, AlertDecoder decoder)
    {
        var seen = new HashSet<long>();
        var alerts = new List<Alert>();
        foreach (var (_, decoded) in Broker.Archive.AlertSources.Open(paths).Alerts(decoder))
        {
            foreach (var a in decoded)
            {
                if (a.Survey == Survey.Ztf && Usable(a) && RealAlertSplit.InEvaluation(a) && seen.Add(a.AlertId))
                {
                    alerts.Add(a);
                }
            }
        }

        return Of(alerts);
    }

    /// <summary>A real alert the models can be compared on: all three cutouts are FITS, and it is not a generated one.</summary>
    public static bool Usable(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.Difference.Status == CutoutStatus.Fits && alert.Science.Status == CutoutStatus.Fits && alert.Template.Status == CutoutStatus.Fits
            && alert.AlertId < Simulation.Writing.AlertComposer.IdBase;
    }

    /// <summary>These alerts with their feature vectors.</summary>
    public static RealAlertScores Of(IReadOnlyList<Alert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var width = FeatureCatalog.Count;
        var vectors = new float[alerts.Count * width];
        for (var i = 0; i < alerts.Count; i++)
        {
            AlertFeatures.Extract(alerts[i], vectors.AsSpan(i * width, width));
        }

        return new RealAlertScores(alerts, vectors);
    }

    /// <summary>The CNN inputs of these alerts.</summary>
    public float[] Tensors()
    {
        var tensors = new float[Count * CutoutTensor.Length];
        for (var i = 0; i < Count; i++)
        {
            CutoutTensor.Write(Alerts[i], tensors.AsSpan(i * CutoutTensor.Length, CutoutTensor.Length));
        }

        return tensors;
    }

    public List<SurveyScored> Scored(ReadOnlySpan<float> scores)
    {
        var list = new List<SurveyScored>(Count);
        for (var i = 0; i < Count; i++)
        {
            var a = Alerts[i];
            list.Add(new SurveyScored(a.AlertId, scores[i], (float)a.SourceNumber("rb"), (float)a.SourceNumber("drb")));
        }

        return list;
    }
}
