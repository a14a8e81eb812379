// Scores real alert files with a real/bogus scorer next to the survey's own rb/drb, for agreement figures.
// Alerts without FITS cutouts are left out; the same alert in several schema versions counts once.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Features;
using Broker.Features.Catalog;
using Broker.Models.Evaluation;

namespace Broker.Cli.Commands.RealBogus;

internal static class RealAlertScores
{
    public delegate void Scorer(ReadOnlySpan<float> vectors, int count, Span<float> scores);

    public static List<SurveyScored> Score(IEnumerable<string> paths, AlertDecoder decoder, Scorer scorer)
    {
        var seen = new HashSet<long>();
        var alerts = new List<Alert>();
        foreach (var file in AlertFiles.Expand(paths))
        {
            try
            {
                foreach (var a in decoder.Decode(File.ReadAllBytes(file)))
                {
                    if (a.Survey == Survey.Ztf && a.Difference.Status == CutoutStatus.Fits && a.Science.Status == CutoutStatus.Fits
                        && a.Template.Status == CutoutStatus.Fits && a.AlertId < Simulation.Writing.AlertComposer.IdBase && seen.Add(a.AlertId))
                    {
                        alerts.Add(a);
                    }
                }
            }
            catch (AlertDecodeException)
            {
            }
        }

        var width = FeatureCatalog.Count;
        var vectors = new float[alerts.Count * width];
        for (var i = 0; i < alerts.Count; i++)
        {
            AlertFeatures.Extract(alerts[i], vectors.AsSpan(i * width, width));
        }

        var scores = new float[alerts.Count];
        scorer(vectors, alerts.Count, scores);
        return [.. alerts.Select((a, i) => new SurveyScored(a.AlertId, scores[i], (float)a.SourceNumber("rb"), (float)a.SourceNumber("drb")))];
    }
}
