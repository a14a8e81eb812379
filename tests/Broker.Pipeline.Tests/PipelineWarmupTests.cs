// The samples a pipeline warms up on are embedded in it and decode: one ZTF and one Rubin alert, each with its
// three cutouts, so the warm-up walks both surveys' decode, stamp and CNN paths.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;

namespace Broker.Pipeline.Tests;

public sealed class PipelineWarmupTests
{
    [Fact]
    public void The_embedded_samples_are_one_ztf_and_one_rubin_alert_with_cutouts()
    {
        var decoder = new AlertDecoder();
        var alerts = PipelineWarmup.Messages.SelectMany(m => decoder.Decode(m)).ToList();
        Assert.Equal([Survey.Ztf, Survey.Rubin], alerts.Select(a => a.Survey));
        Assert.All(alerts, a => Assert.All(new[] { a.Science, a.Template, a.Difference }, c => Assert.NotNull(c.Image)));
    }
}
