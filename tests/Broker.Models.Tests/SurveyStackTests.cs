// The served rb_combined per survey: a card's stack.ztf.* is read back, a ZTF alert is scored with the packet's rb as
// an input, a Rubin alert (no stack for it) and a ZTF alert without rb fall back to the generic trees + CNN stack, and
// no stack may name the survey's judge (drb, reliability) as an input.
using Broker.Alerts.Decoding;
using Broker.Alerts.Model;
using Broker.Models.RealBogus;

namespace Broker.Models.Tests;

public sealed class SurveyStackTests
{
    private static Alert FirstOf(string folder) =>
        Directory.EnumerateFiles(Path.Combine(TestData.Fixtures, folder), "*.avro", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(f => new AlertDecoder().Decode(File.ReadAllBytes(f))).First();

    [Fact]
    public void A_ztf_alert_is_served_with_its_packet_rb_and_others_fall_back_to_the_generic_stack()
    {
        var generic = new CombinedScore(0.5, 0.3, -0.7);
        var stack = new SurveyStack(["trees", "cnn", "ztf_rb"], [0.3, 0.0, 2.4], 0.1);
        var parameters = generic.ToParameters("rb-x").Concat(stack.ToParameters("ztf")).ToDictionary(kv => kv.Key, kv => kv.Value);
        var served = CombinedScore.FromParameters(parameters)!;
        Assert.Equal(stack, served.Surveys[Survey.Ztf]);
        Assert.False(served.Surveys.ContainsKey(Survey.Rubin));

        var ztf = FirstOf("ztf/kowalski_20231012");
        var packetRb = (float)ztf.SourceNumber("rb");
        Assert.False(float.IsNaN(packetRb));
        var expected = 1 / (1 + Math.Exp(-((0.3 * Logit(0.8f)) + (2.4 * Logit(packetRb)) + 0.1)));
        Assert.Equal(expected, served.Score(ztf, 0.8f, 0.2f), 5);

        var rubin = FirstOf("rubin/ocf_v9_0");
        Assert.Equal(generic.Score(0.8f, 0.2f), served.Score(rubin, 0.8f, 0.2f));
    }

    [Fact]
    public void No_stack_takes_the_judge_as_an_input()
    {
        Assert.DoesNotContain("drb", SurveyStack.KnownInputs);
        Assert.DoesNotContain("reliability", SurveyStack.KnownInputs);
        var parameters = new Dictionary<string, string>
        {
            ["combined.weight_rb"] = "1",
            ["combined.weight_cnn"] = "1",
            ["combined.bias"] = "0",
            ["stack.ztf.inputs"] = "trees,drb",
            ["stack.ztf.weights"] = "1,1",
            ["stack.ztf.bias"] = "0",
        };
        Assert.Throws<FormatException>(() => CombinedScore.FromParameters(parameters));
        var rubin = FirstOf("rubin/ocf_v9_0");
        Assert.True(float.IsNaN(SurveyStack.Input("ztf_rb", rubin, 0.5f, 0.5f)));
    }

    private static double Logit(float p) => Math.Log(p / (1 - p));
}
