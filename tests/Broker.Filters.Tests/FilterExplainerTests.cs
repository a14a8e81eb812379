// "Why was this alert not sent?": every clause of a filter with whether it held and the alert's values, agreeing
// with the compiled filter on the whole, for a passing and a failing alert.
using System.Globalization;
using Broker.Engine.Annotation;
using Broker.Filters.Language;

namespace Broker.Filters.Tests;

public sealed class FilterExplainerTests
{
    private const string Text = "rb >= 0.8 and positive and (mag < 19 or cnn is not null) and candidate.magpsf < 30";

    private static AlertAnnotation Annotation(float rb) => new()
    {
        Source = new SourcePosition("t", 0, 0),
        Features = new float[Broker.Features.Catalog.FeatureCatalog.Count],
        Rb = rb,
        RbModel = "m",
        IngestTimeMs = 0,
    };

    [Fact]
    public void A_failing_alert_shows_the_clause_that_did_not_hold_with_its_value()
    {
        var alert = TestData.Decode("ztf/alerce_misc/3044341005815015012.avro");
        var (held, clauses) = FilterExplainer.Explain(Text, alert, Annotation(0.42f));
        Assert.False(held);
        Assert.StartsWith("all of: ", clauses[0].Text, StringComparison.Ordinal);
        Assert.False(clauses[0].Held);
        var rb = Assert.Single(clauses, c => c.Text == "rb >= 0.8");
        Assert.False(rb.Held);
        Assert.Equal([("rb", "0.42")], rb.Values);
        Assert.Equal(1, rb.Depth);

        // The or-group is one clause of the and, with its own operands one level down.
        var group = Assert.Single(clauses, c => c.Text.StartsWith("any of: ", StringComparison.Ordinal));
        Assert.Equal(1, group.Depth);
        var cnn = Assert.Single(clauses, c => c.Text == "cnn is not null");
        Assert.False(cnn.Held);
        Assert.Equal([("cnn", "null")], cnn.Values);
        Assert.Equal(2, cnn.Depth);

        var raw = Assert.Single(clauses, c => c.Text.StartsWith("candidate.magpsf", StringComparison.Ordinal));
        Assert.Equal(alert.Mag, double.Parse(raw.Values[0].Value, CultureInfo.InvariantCulture), 3);
    }

    [Fact]
    public void A_passing_alert_holds_on_every_clause_of_an_and_and_agrees_with_the_compiled_filter()
    {
        var alert = TestData.Decode("ztf/alerce_misc/3044341005815015012.avro");
        var annotation = Annotation(0.93f);
        var (held, clauses) = FilterExplainer.Explain(Text, alert, annotation);
        Assert.Equal(FilterCompiler.Compile(Text).Evaluate(alert, annotation), held);
        if (alert.IsPositive && alert.Mag < 19)
        {
            Assert.True(held);
            Assert.All(clauses.Where(c => c.Depth == 1), c => Assert.True(c.Held, c.Text));
        }
        else
        {
            Assert.Contains(clauses, c => c.Depth == 1 && !c.Held);
        }
    }
}
