using Broker.Engine.Annotation;
using Broker.Filters.Language;

namespace Broker.Filters.Tests;

/// <summary>Thousands of random and mutated filter texts: each compiles or fails with a positioned FilterException.</summary>
public sealed class FilterFuzzTests
{
    private static readonly string[] Seeds =
    [
        "rb >= 0.8 and positive and age_days < 3",
        "(rb_combined >= 0.8 or (rb_combined is null and rb >= 0.8)) and ndet <= 5",
        "band in ('g', 'r') and mag between 15 and 18.5 and not first_detection",
        "cone(148.9685, 69.6797, 600) or cone(210.8, 54.3, 600) and rb >= 0.3",
        "max(cnn, rb) - min(cnn, rb) > 0.5 and abs(dmdt) > 0.1 and sqrt(snr) > 2",
        "candidate.magpsf < 18 and diaSource.psfFlux is null and novelty.subspace = 'shape'",
        "-(-rb) * 2 / 3 % 4 + 1 >= log10(100) and survey != 'rubin'",
    ];

    private static readonly string[] Pieces =
    [
        "rb", "cnn", "mag", "band", "novelty.subspace", "candidate.magpsf", "x.y", "and", "or", "not", "in", "between",
        "is", "null", "true", "false", "(", ")", ",", "+", "-", "*", "/", "%", "=", "==", "!=", "<>", "<", "<=", ">",
        ">=", "0", "1.5", "1e3", ".5", "1e999", "'r'", "\"g\"", "'", "abs(", "min(", "cone(", "#", "\n", " ", "@", "\u0000",
    ];

    [Fact]
    public void Random_and_mutated_texts_never_crash_the_compiler_or_the_evaluation()
    {
        var random = new Random(20261121);
        var alert = TestData.Decode("ztf/alerce_misc/3044341005815015012.avro");
        var annotation = new AlertAnnotation
        {
            Source = new SourcePosition("t", 0, 0),
            Features = new float[Broker.Features.Catalog.FeatureCatalog.Count],
            Rb = 0.5f,
            RbModel = "m",
            IngestTimeMs = 0,
        };
        int compiled = 0, rejected = 0;
        for (var i = 0; i < 6_000; i++)
        {
            var text = (i % 3) switch
            {
                0 => string.Join(' ', Enumerable.Range(0, random.Next(1, 25)).Select(_ => Pieces[random.Next(Pieces.Length)])),
                1 => Mutate(Seeds[random.Next(Seeds.Length)], random),
                _ => new string([.. Enumerable.Range(0, random.Next(0, 60)).Select(_ => (char)random.Next(0, 128))]),
            };
            try
            {
                var filter = FilterCompiler.Compile(text);
                _ = filter.Evaluate(alert, annotation);
                compiled++;
            }
            catch (FilterException e)
            {
                Assert.True(e.Position.Line >= 1 && e.Position.Column >= 1, $"position {e.Position} for: {text}");
                rejected++;
            }
        }

        // Both outcomes occur: the generator is not trivially all-valid or all-invalid.
        Assert.True(compiled > 100, $"compiled {compiled}");
        Assert.True(rejected > 1000, $"rejected {rejected}");
    }

    [Fact]
    public void Deep_nesting_and_long_chains_are_refused_not_overflowed()
    {
        Assert.Throws<FilterSyntaxException>(() => FilterCompiler.Compile(new string('(', 10_000) + "rb > 0" + new string(')', 10_000)));
        Assert.Throws<FilterSyntaxException>(() => FilterCompiler.Compile(string.Concat(Enumerable.Repeat("not ", 5_000)) + "positive"));
        Assert.Throws<FilterSyntaxException>(() => FilterCompiler.Compile(string.Concat(Enumerable.Repeat("- ", 5_000)) + "rb > 0"));
        Assert.Throws<FilterSyntaxException>(() => FilterCompiler.Compile("rb" + string.Concat(Enumerable.Repeat(" + rb", 3_000)) + " > 0"));
        Assert.Throws<FilterSyntaxException>(() => FilterCompiler.Compile(new string('x', Lexer.MaxLength + 1)));

        // Within the bounds, a long chain compiles.
        Assert.NotNull(FilterCompiler.Compile("rb" + string.Concat(Enumerable.Repeat(" + rb", 400)) + " > 0"));
    }

    private static string Mutate(string seed, Random random)
    {
        var chars = seed.ToList();
        for (var m = random.Next(1, 4); m > 0; m--)
        {
            var at = random.Next(chars.Count + 1);
            switch (random.Next(3))
            {
                case 0 when chars.Count > 0 && at < chars.Count:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.InsertRange(at, Pieces[random.Next(Pieces.Length)]);
                    break;
                default:
                    if (at < chars.Count)
                    {
                        chars[at] = seed[random.Next(seed.Length)];
                    }

                    break;
            }
        }

        return new string([.. chars]);
    }
}
