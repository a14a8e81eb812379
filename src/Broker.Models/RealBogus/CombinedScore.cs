// One real/bogus score from the boosted trees and the CNN: logistic stacking, p = sigmoid(a*logit(rb) +
// b*logit(cnn) + c), with (a, b, c) fitted by Newton's method on a validation set neither model was trained on.
// The two models see different things (measured features vs raw pixels), so their errors are partly
// independent and the stack does better than either (docs/models.md has the figures). Where a card also holds a
// survey's own stack fitted on real alerts (SurveyStack: for ZTF with the packet's rb as a third input), real
// alerts of that survey are served with it.
using System.Globalization;
using Broker.Alerts.Model;

namespace Broker.Models.RealBogus;

public sealed record CombinedScore(double WeightRb, double WeightCnn, double Bias)
{
    private const float Epsilon = 1e-6f;

    /// <summary>Per-survey stacks fitted on real alerts (ztf, rubin), served in place of the generic weights where present.</summary>
    public IReadOnlyDictionary<Survey, SurveyStack> Surveys { get; init; } = new Dictionary<Survey, SurveyStack>();

    // Value equality over the weights and the per-survey stacks (a record would compare the dictionary by reference).
    public bool Equals(CombinedScore? other) =>
        other is not null && WeightRb.Equals(other.WeightRb) && WeightCnn.Equals(other.WeightCnn) && Bias.Equals(other.Bias)
        && Surveys.Count == other.Surveys.Count && Surveys.All(kv => other.Surveys.TryGetValue(kv.Key, out var s) && kv.Value.Equals(s));

    public override int GetHashCode() => HashCode.Combine(WeightRb, WeightCnn, Bias, Surveys.Count);

    /// <summary>
    /// The served score of a real alert: its survey's stack when there is one and every input is present (ZTF's stack
    /// reads the packet's rb), else the generic trees + CNN stack.
    /// </summary>
    public float Score(Alert alert, float rb, float cnn)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (!float.IsNaN(rb) && !float.IsNaN(cnn) && Surveys.TryGetValue(alert.Survey, out var stack) && stack.Score(alert, rb, cnn) is var p && !float.IsNaN(p))
        {
            return p;
        }

        return Score(rb, cnn);
    }

    public float Score(float rb, float cnn)
    {
        if (float.IsNaN(rb))
        {
            return cnn;
        }

        if (float.IsNaN(cnn))
        {
            return rb;
        }

        return (float)Sigmoid((WeightRb * Logit(rb)) + (WeightCnn * Logit(cnn)) + Bias);
    }

    public void Score(ReadOnlySpan<float> rb, ReadOnlySpan<float> cnn, Span<float> combined)
    {
        for (var i = 0; i < combined.Length; i++)
        {
            combined[i] = Score(rb[i], cnn[i]);
        }
    }

    /// <summary>Maximum-likelihood weights (a small ridge keeps them finite when the classes separate perfectly).</summary>
    public static CombinedScore Fit(ReadOnlySpan<float> rb, ReadOnlySpan<float> cnn, ReadOnlySpan<float> labels, double ridge = 1e-3)
    {
        var n = labels.Length;
        var x = new double[n, 2];
        for (var i = 0; i < n; i++)
        {
            x[i, 0] = Logit(rb[i]);
            x[i, 1] = Logit(cnn[i]);
        }

        var w = new double[] { 0.5, 0.5, 0 };
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var g = new double[3];
            var h = new double[3, 3];
            for (var i = 0; i < n; i++)
            {
                double[] f = [x[i, 0], x[i, 1], 1];
                var p = Sigmoid((w[0] * f[0]) + (w[1] * f[1]) + w[2]);
                var weight = Math.Max(p * (1 - p), 1e-12);
                for (var a = 0; a < 3; a++)
                {
                    g[a] += (p - labels[i]) * f[a];
                    for (var b = 0; b < 3; b++)
                    {
                        h[a, b] += weight * f[a] * f[b];
                    }
                }
            }

            for (var a = 0; a < 2; a++)
            {
                g[a] += ridge * n * w[a];
                h[a, a] += ridge * n;
            }

            var step = Solve3(h, g);
            for (var a = 0; a < 3; a++)
            {
                w[a] -= step[a];
            }

            if (Math.Abs(step[0]) + Math.Abs(step[1]) + Math.Abs(step[2]) < 1e-9)
            {
                break;
            }
        }

        return new CombinedScore(w[0], w[1], w[2]);
    }

    public IReadOnlyDictionary<string, string> ToParameters(string rbModelId) => new Dictionary<string, string>
    {
        ["combined.rb_model"] = rbModelId,
        ["combined.weight_rb"] = WeightRb.ToString("R", CultureInfo.InvariantCulture),
        ["combined.weight_cnn"] = WeightCnn.ToString("R", CultureInfo.InvariantCulture),
        ["combined.bias"] = Bias.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>The stack recorded in a CNN card, or null when the card has none.</summary>
    public static CombinedScore? FromParameters(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(parameters.TryGetValue("combined.weight_rb", out var a) && parameters.TryGetValue("combined.weight_cnn", out var b)
            && parameters.TryGetValue("combined.bias", out var c)))
        {
            return null;
        }

        var surveys = new Dictionary<Survey, SurveyStack>();
        foreach (var survey in new[] { Survey.Ztf, Survey.Rubin })
        {
            if (SurveyStack.FromParameters(parameters, SurveyKey(survey)) is { } stack)
            {
                surveys[survey] = stack;
            }
        }

        return new CombinedScore(Parse(a), Parse(b), Parse(c)) { Surveys = surveys };
    }

    /// <summary>The survey's key in card parameters (stack.ztf.*, stack.rubin.*).</summary>
    public static string SurveyKey(Survey survey) => survey == Survey.Ztf ? "ztf" : "rubin";

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static double Logit(float p)
    {
        var q = Math.Clamp(p, Epsilon, 1 - Epsilon);
        return Math.Log(q / (1 - q));
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double[] Solve3(double[,] a, double[] b)
    {
        var m = new double[3, 4];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                m[r, c] = a[r, c];
            }

            m[r, 3] = b[r];
        }

        for (var col = 0; col < 3; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < 3; r++)
            {
                if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col]))
                {
                    pivot = r;
                }
            }

            for (var c = 0; c < 4; c++)
            {
                (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
            }

            for (var r = 0; r < 3; r++)
            {
                if (r != col && m[col, col] != 0)
                {
                    var f = m[r, col] / m[col, col];
                    for (var c = col; c < 4; c++)
                    {
                        m[r, c] -= f * m[col, c];
                    }
                }
            }
        }

        return [m[0, 3] / m[0, 0], m[1, 3] / m[1, 1], m[2, 3] / m[2, 2]];
    }
}
