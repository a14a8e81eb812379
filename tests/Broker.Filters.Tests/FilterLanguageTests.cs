using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Filters;
using Broker.Filters.Language;

namespace Broker.Filters.Tests;

public sealed class FilterLanguageTests
{
    private static readonly Alert Ztf = TestData.Decode("ztf/alerce_misc/3044341005815015012.avro");
    private static readonly Alert Rubin = TestData.Decode("rubin/ocf_v9_0/sample_v9.avro");

    private static AlertAnnotation Annotation(float rb = 0.8f, float? cnn = 0.9f, float? novelty = 0.75f, string subspace = "shape") => new()
    {
        Source = new SourcePosition("t", 0, 0),
        Features = new float[Broker.Features.Catalog.FeatureCatalog.Count],
        Rb = rb,
        RbModel = "rb-test",
        Cnn = cnn,
        RbCombined = cnn is null ? null : (rb + cnn) / 2,
        Novelty = novelty is { } n ? new NoveltyAnnotation(n, subspace, [], [], "snap") : null,
        IngestTimeMs = 0,
    };

    private static bool Eval(string text, Alert? alert = null, AlertAnnotation? annotation = null) =>
        FilterCompiler.Compile(text).Evaluate(alert ?? Ztf, annotation ?? Annotation());

    [Theory]
    [InlineData("rb >= 0.8", true)]
    [InlineData("rb > 0.8", false)]
    [InlineData("rb < 0.9 and cnn = 0.9", true)]
    [InlineData("rb != 0.8 or cnn <> 0.9", false)]
    [InlineData("rb == 0.8", true)]
    [InlineData("not rb > 0.9", true)]
    [InlineData("rb + 0.1 > 0.85 and rb * 2 < 1.7 and rb - 1 < 0 and rb / 2 < 0.5", true)]
    [InlineData("7 % 4 = 3", true)]
    [InlineData("-rb < -0.5", true)]
    [InlineData("2 + 3 * 4 = 14", true)]
    [InlineData("(2 + 3) * 4 = 20", true)]
    [InlineData("true or false and false", true)]
    [InlineData("(true or false) and false", false)]
    [InlineData("band in ('g', 'r')", true)]
    [InlineData("band not in ('g', 'r')", false)]
    [InlineData("ndet in (1, 2, 3)", false)]
    [InlineData("rb between 0.7 and 0.9", true)]
    [InlineData("rb not between 0.7 and 0.9", false)]
    [InlineData("rb between 0.9 and 1", false)]
    [InlineData("novelty.subspace = 'shape'", true)]
    [InlineData("novelty.subspace < 'zzz' and novelty.subspace >= 'shape'", true)]
    [InlineData("abs(-rb) = rb and sqrt(16) = 4 and log10(1000) = 3", true)]
    [InlineData("min(rb, cnn) = rb and max(rb, cnn, 0.95) = 0.95", true)]
    [InlineData("positive = true", true)]
    [InlineData("first_detection = false", true)]
    public void Operators_and_functions(string text, bool expected) => Assert.Equal(expected, Eval(text));

    [Fact]
    public void Neutral_names_read_the_alert()
    {
        Assert.True(Eval($"ra = {Ztf.Ra.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} and band = '{Ztf.Band}' and survey = 'ztf'"));
        Assert.True(Eval($"ndet = {Ztf.History.Count + 1} and object_id = '{Ztf.ObjectId}'"));
        Assert.True(Eval("age_days >= 0 and mag > 10 and magerr > 0 and snr > 1 and mjd > 58000"));
        Assert.True(Eval($"candidate.magpsf = {Ztf.Source["magpsf"].ToDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"));
        Assert.True(Eval($"alert.objectId = '{Ztf.ObjectId}'"));
        Assert.True(Eval("feature.snr is not null or feature.snr is null"));
    }

    [Fact]
    public void Cross_survey_names_give_the_same_answers_on_ZTF_and_Rubin()
    {
        foreach (var alert in new[] { Ztf, Rubin })
        {
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            Assert.True(Eval($"mag between {(alert.Mag - 0.001).ToString("R", inv)} and {(alert.Mag + 0.001).ToString("R", inv)}", alert));
            Assert.True(Eval($"band = '{alert.Band}' and positive = {(alert.IsPositive ? "true" : "false")}", alert));
            Assert.True(Eval($"cone({alert.Ra.ToString("R", inv)}, {alert.Dec.ToString("R", inv)}, 0.1)", alert));
            Assert.False(Eval($"cone({alert.Ra.ToString("R", inv)}, {(alert.Dec + 0.01).ToString("R", inv)}, 30)", alert));
            Assert.True(Eval($"cone({alert.Ra.ToString("R", inv)}, {(alert.Dec + 0.01).ToString("R", inv)}, 40)", alert));
            Assert.Equal(alert.Survey == Survey.Ztf, Eval("survey = 'ztf'", alert));
            Assert.Equal(alert.Survey == Survey.Rubin, Eval("survey = 'rubin'", alert));
        }

        // A raw path of the other survey is null: comparisons on it are never true, `is null` is.
        Assert.True(Eval("diaSource.psfFlux is null", Ztf));
        Assert.True(Eval("diaSource.psfFlux is not null", Rubin));
        Assert.False(Eval("candidate.magpsf > 0", Rubin));
        Assert.False(Eval("not candidate.magpsf > 0", Rubin));
        Assert.True(Eval("candidate.magpsf is null", Rubin));
    }

    [Fact]
    public void Missing_values_follow_three_valued_logic()
    {
        var noScores = Annotation(cnn: null, novelty: null);

        // A comparison with null is unknown, and so is its negation: neither passes.
        Assert.False(Eval("cnn > 0.5", annotation: noScores));
        Assert.False(Eval("not cnn > 0.5", annotation: noScores));
        Assert.False(Eval("cnn = cnn", annotation: noScores));
        Assert.True(Eval("cnn is null and novelty is null and novelty.subspace is null", annotation: noScores));

        // Kleene: unknown or true is true; unknown and false is false; unknown and true is unknown.
        Assert.True(Eval("cnn > 0.5 or rb > 0.5", annotation: noScores));
        Assert.True(Eval("not (cnn > 0.5 and rb > 0.9)", annotation: noScores));
        Assert.False(Eval("cnn > 0.5 and rb > 0.5", annotation: noScores));

        // Arithmetic on null is null; min/max skip nulls; x / 0 is null, not infinity.
        Assert.True(Eval("cnn + 1 is null", annotation: noScores));
        Assert.True(Eval("max(cnn, rb) = rb", annotation: noScores));
        Assert.True(Eval("min(cnn, novelty) is null", annotation: noScores));
        Assert.True(Eval("rb / 0 is null"));
        Assert.True(Eval("sqrt(-1) is null and log10(0) is null"));
        Assert.False(Eval("cnn in (0.5, 0.9)", annotation: noScores));
        Assert.False(Eval("cnn between 0 and 1", annotation: noScores));

        // NaN is null: a NaN feature behaves as a missing one.
        var nan = Annotation();
        nan.Features[0] = float.NaN;
        var feature = "feature." + Broker.Features.Catalog.FeatureCatalog.All[0].Name;
        Assert.True(Eval($"{feature} is null", annotation: nan));
        Assert.False(Eval($"{feature} < 1 or {feature} >= 1", annotation: nan));
    }

    [Theory]
    [InlineData("rb >", 1, 5, "expected a value")]
    [InlineData("rb >= 0.5 and", 1, 14, "expected a value")]
    [InlineData("(rb > 0.5", 1, 10, "expected ')'")]
    [InlineData("rb > 0.5)", 1, 9, "expected the end")]
    [InlineData("rb > 0.5 @", 1, 10, "unexpected character '@'")]
    [InlineData("band = 'r", 1, 8, "not closed")]
    [InlineData("1 < rb < 2", 1, 8, "comparisons do not chain")]
    [InlineData("rb is 1", 1, 7, "'null' after 'is'")]
    [InlineData("rb between 1 or 2", 1, 14, "'and'")]
    [InlineData("band in 'g'", 1, 9, "'('")]
    [InlineData("1.2.3 > rb", 1, 1, "not a number")]
    [InlineData("candidate. > 1", 1, 1, "not a name")]
    [InlineData("", 1, 1, "empty")]
    [InlineData("rb > 0.5\n  and\n  mag <", 3, 8, "expected a value")]
    public void Syntax_errors_have_positions(string text, int line, int column, string message)
    {
        var e = Assert.Throws<FilterSyntaxException>(() => FilterCompiler.Compile(text));
        Assert.Equal(new TextPosition(line, column), e.Position);
        Assert.Contains(message, e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rbb > 0.5", 1, 1, "did you mean 'rb'")]
    [InlineData("rb > 'high'", 1, 4, "cannot compare a number with a text")]
    [InlineData("rb", 1, 1, "a filter is a condition")]
    [InlineData("band + 1 > 2", 1, 1, "arithmetic needs a number, not a text")]
    [InlineData("rb > 0.5 and mag", 1, 14, "'and' needs a condition")]
    [InlineData("not mag", 1, 5, "'not' needs a condition")]
    [InlineData("cnn = null", 1, 5, "'is null'")]
    [InlineData("band in ('g', 2)", 1, 15, "cannot compare a text with a number")]
    [InlineData("abs(rb, cnn) > 0", 1, 1, "abs() takes 1 argument")]
    [InlineData("cone(1, 2) ", 1, 1, "cone() takes 3 arguments")]
    [InlineData("upper(band) = 'G'", 1, 1, "unknown function 'upper'")]
    [InlineData("positive > false", 1, 10, "conditions can only be compared")]
    [InlineData("mag between 'a' and 'b'", 1, 5, "cannot compare")]
    [InlineData("gaia.parallax > 1", 1, 1, "unknown name 'gaia.parallax'")]
    public void Type_errors_have_positions(string text, int line, int column, string message)
    {
        var e = Assert.Throws<FilterTypeException>(() => FilterCompiler.Compile(text));
        Assert.Equal(new TextPosition(line, column), e.Position);
        Assert.Contains(message, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_filter_file_reports_positions_in_the_file()
    {
        var text = "# comment\ndescription: test\npayload: light\nwhere: rb >= 0.5\n   and mag < 'x'\n";
        var e = Assert.Throws<FilterTypeException>(() => FilterFile.Compile(text, "f"));
        Assert.Equal(new TextPosition(5, 12), e.Position);

        var filter = FilterFile.Compile("name: young\nowner: me\ntopic: custom.topic\npayload: light\nwhere: rb >= 0.5 # trailing comment\n", "file");
        Assert.Equal("young", filter.Name);
        Assert.Equal("custom.topic", filter.Topic);
        Assert.Equal(Payload.Light, filter.Payload);
        Assert.Equal("(rb >= 0.5)", filter.Compiled.Canonical);

        Assert.Equal(new TextPosition(2, 1), Assert.Throws<FilterSyntaxException>(() => FilterFile.Compile("payload: full\ncolour: red\nwhere: rb > 0\n", "f")).Position);
        Assert.Throws<FilterSyntaxException>(() => FilterFile.Compile("payload: heavy\nwhere: rb > 0\n", "f"));
        Assert.Throws<FilterSyntaxException>(() => FilterFile.Compile("payload: full\n", "f"));
        Assert.Throws<FilterDefinitionException>(() => FilterFile.Compile("name: bad name\nwhere: rb > 0\n", "f"));
    }

    [Fact]
    public void The_deployed_example_filters_compile()
    {
        var folder = Path.Combine(TestData.Root, "deploy", "filters");
        var files = Directory.GetFiles(folder, "*.filter");
        Assert.True(files.Length >= 4);
        foreach (var file in files)
        {
            var filter = FilterFile.Load(file);
            _ = filter.Matches(Ztf, Annotation());
            _ = filter.Matches(Rubin, Annotation(cnn: null, novelty: null));
        }
    }
}
