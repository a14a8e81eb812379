// A strict reader of the Prometheus text exposition format (0.0.4) for tests: every sample line must parse as
// name{label="value",...} number, and lookups go by name and labels. What a Prometheus server would refuse, this does.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Pipeline.Tests;

internal sealed partial class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public IEnumerable<string> Names => _samples.Select(s => s.Name).Distinct();

    public static PrometheusText Parse(string text)
    {
        var result = new PrometheusText();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = Sample().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["key"].Value] = label.Groups["value"].Value;
            }

            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            result._samples.Add((match.Groups["name"].Value, labels, value));
        }

        Assert.NotEmpty(result._samples);
        return result;
    }

    public double Value(string name, params (string Key, string Value)[] labels) =>
        Assert.Single(Matching(name, labels)).Value;

    public double Sum(string name, params (string Key, string Value)[] labels) => Matching(name, labels).Sum(s => s.Value);

    /// <summary>A histogram's le-buckets only grow, end at +Inf, and +Inf equals _count.</summary>
    public void AssertCumulativeBuckets(string histogram, params (string Key, string Value)[] labels)
    {
        var buckets = Matching(histogram + "_bucket", labels)
            .Select(s => (Le: s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], CultureInfo.InvariantCulture), s.Value))
            .OrderBy(b => b.Le).ToList();
        Assert.True(buckets.Count > 2, $"{histogram}: {buckets.Count} buckets");
        for (var i = 1; i < buckets.Count; i++)
        {
            Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"{histogram}: bucket le={buckets[i].Le} below le={buckets[i - 1].Le}");
        }

        Assert.Equal(double.PositiveInfinity, buckets[^1].Le);
        Assert.Equal(Value(histogram + "_count", labels), buckets[^1].Value);
    }

    private IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> Matching(string name, (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]Inf|NaN)( -?\d+)?$""")]
    private static partial Regex Sample();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex Label();
}
