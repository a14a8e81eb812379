// The served rb_combined of one survey: a logistic stack over named inputs, p = sigmoid(sum w_i logit(x_i) + b).
// Its inputs are the broker's own scores (trees, cnn) and, where the survey sends one that is not the reference the
// stack is judged against, the survey's own score: for ZTF its random-forest rb ("ztf_rb"), never drb, which is
// the judge; for Rubin none, reliability being the judge. The broker's own scores never take a survey score as input
// (docs/models.md, "Which inputs each score has"). Fitted by Newton's method with a small ridge.
using System.Globalization;
using Broker.Alerts.Model;

namespace Broker.Models.RealBogus;

public sealed record SurveyStack(IReadOnlyList<string> Inputs, IReadOnlyList<double> Weights, double Bias)
{
    /// <summary>The inputs a stack may name: the trees' score, the CNN's, and ZTF's random-forest rb.</summary>
    public static readonly IReadOnlyList<string> KnownInputs = ["trees", "cnn", "ztf_rb"];

    private const float Epsilon = 1e-6f;

    /// <summary>The value of input <paramref name="name"/> for an alert; NaN when the alert has none.</summary>
    public static float Input(string name, Alert alert, float trees, float cnn)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return name switch
        {
            "trees" => trees,
            "cnn" => cnn,
            "ztf_rb" => alert.Survey == Survey.Ztf ? (float)alert.SourceNumber("rb") : float.NaN,
            _ => throw new ArgumentException($"unknown stack input '{name}' (known: {string.Join(", ", KnownInputs)})", nameof(name)),
        };
    }

    /// <summary>The stacked score, or NaN when one of its inputs is missing (the caller falls back).</summary>
    public float Score(Alert alert, float trees, float cnn)
    {
        var z = Bias;
        for (var i = 0; i < Inputs.Count; i++)
        {
            var x = Input(Inputs[i], alert, trees, cnn);
            if (float.IsNaN(x))
            {
                return float.NaN;
            }

            z += Weights[i] * Logit(x);
        }

        return (float)Sigmoid(z);
    }

    /// <summary>The stacked score of a row of input values (in <see cref="Inputs"/> order).</summary>
    public float Score(ReadOnlySpan<float> inputs)
    {
        var z = Bias;
        for (var i = 0; i < Inputs.Count; i++)
        {
            z += Weights[i] * Logit(inputs[i]);
        }

        return (float)Sigmoid(z);
    }

    /// <summary>Maximum-likelihood weights over <paramref name="rows"/> (input values in <paramref name="inputs"/> order).</summary>
    public static SurveyStack Fit(IReadOnlyList<string> inputs, IReadOnlyList<float[]> rows, IReadOnlyList<bool> labels, double ridge = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        var k = inputs.Count + 1;
        var n = rows.Count;
        var x = new double[n][];
        for (var i = 0; i < n; i++)
        {
            x[i] = new double[k];
            for (var j = 0; j < inputs.Count; j++)
            {
                x[i][j] = Logit(rows[i][j]);
            }

            x[i][k - 1] = 1;
        }

        var w = new double[k];
        for (var j = 0; j < inputs.Count; j++)
        {
            w[j] = 1.0 / inputs.Count;
        }

        // Newton's method with step halving: a full step can overshoot where scores saturate (trees' 0 and 1 are
        // logits of +-13.8), so a step is kept only when the penalized loss does not grow.
        var loss = Loss(x, labels, w, ridge);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            var g = new double[k];
            var h = new double[k, k];
            for (var i = 0; i < n; i++)
            {
                var p = Sigmoid(Dot(w, x[i]));
                var weight = Math.Max(p * (1 - p), 1e-12);
                var y = labels[i] ? 1.0 : 0.0;
                for (var a = 0; a < k; a++)
                {
                    g[a] += (p - y) * x[i][a];
                    for (var b = 0; b < k; b++)
                    {
                        h[a, b] += weight * x[i][a] * x[i][b];
                    }
                }
            }

            for (var a = 0; a < k - 1; a++)
            {
                g[a] += ridge * n * w[a];
                h[a, a] += ridge * n;
            }

            var step = Solve(h, g);
            var scale = 1.0;
            double[] next;
            double nextLoss;
            do
            {
                next = [.. w.Select((v, a) => v - (scale * step[a]))];
                nextLoss = Loss(x, labels, next, ridge);
                scale /= 2;
            }
            while (nextLoss > loss && scale > 1e-6);

            var moved = next.Select((v, a) => Math.Abs(v - w[a])).Sum();
            if (nextLoss > loss)
            {
                break;
            }

            (w, loss) = (next, nextLoss);
            if (moved < 1e-9)
            {
                break;
            }
        }

        return new SurveyStack([.. inputs], [.. w[..^1]], w[^1]);
    }

    /// <summary>Card parameters: stack.SURVEY.inputs, .weights, .bias.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToParameters(string survey)
    {
        var inv = CultureInfo.InvariantCulture;
        yield return new($"stack.{survey}.inputs", string.Join(',', Inputs));
        yield return new($"stack.{survey}.weights", string.Join(',', Weights.Select(w => w.ToString("R", inv))));
        yield return new($"stack.{survey}.bias", Bias.ToString("R", inv));
    }

    /// <summary>The stack a card records for <paramref name="survey"/>, or null.</summary>
    public static SurveyStack? FromParameters(IReadOnlyDictionary<string, string> parameters, string survey)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!parameters.TryGetValue($"stack.{survey}.inputs", out var inputs) || !parameters.TryGetValue($"stack.{survey}.weights", out var weights)
            || !parameters.TryGetValue($"stack.{survey}.bias", out var bias))
        {
            return null;
        }

        var names = inputs.Split(',');
        var values = weights.Split(',').Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        if (names.Length != values.Length || names.Any(n => !KnownInputs.Contains(n)))
        {
            throw new FormatException($"stack.{survey}: inputs '{inputs}' and weights '{weights}' do not match (known inputs: {string.Join(", ", KnownInputs)})");
        }

        return new SurveyStack(names, values, double.Parse(bias, CultureInfo.InvariantCulture));
    }

    public bool Equals(SurveyStack? other) =>
        other is not null && Inputs.SequenceEqual(other.Inputs) && Weights.SequenceEqual(other.Weights) && Bias.Equals(other.Bias);

    public override int GetHashCode() => HashCode.Combine(Inputs.Count, Bias);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"sigmoid({string.Join(" + ", Inputs.Select((n, i) => $"{Weights[i]:F3} logit({n})"))} + {Bias:F3})");

    private static double Logit(float p)
    {
        var q = Math.Clamp(p, Epsilon, 1 - Epsilon);
        return Math.Log(q / (1 - q));
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double Dot(double[] w, double[] x)
    {
        var z = 0.0;
        for (var a = 0; a < w.Length; a++)
        {
            z += w[a] * x[a];
        }

        return z;
    }

    // Mean negative log-likelihood plus the ridge on the input weights (not the bias), as the gradient above has it.
    private static double Loss(double[][] x, IReadOnlyList<bool> labels, double[] w, double ridge)
    {
        var total = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var z = Dot(w, x[i]);
            // log(1 + e^-z) for y = 1, log(1 + e^z) for y = 0, computed without overflow.
            var m = labels[i] ? -z : z;
            total += m > 0 ? m + Math.Log(1 + Math.Exp(-m)) : Math.Log(1 + Math.Exp(m));
        }

        var penalty = 0.0;
        for (var a = 0; a < w.Length - 1; a++)
        {
            penalty += w[a] * w[a];
        }

        return total + (0.5 * ridge * x.Length * penalty);
    }

    // Gaussian elimination with partial pivoting (k is at most four here).
    private static double[] Solve(double[,] a, double[] b)
    {
        var k = b.Length;
        var m = new double[k, k + 1];
        for (var r = 0; r < k; r++)
        {
            for (var c = 0; c < k; c++)
            {
                m[r, c] = a[r, c];
            }

            m[r, k] = b[r];
        }

        for (var col = 0; col < k; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < k; r++)
            {
                if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col]))
                {
                    pivot = r;
                }
            }

            for (var c = 0; c <= k; c++)
            {
                (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
            }

            for (var r = 0; r < k; r++)
            {
                if (r != col && m[col, col] != 0)
                {
                    var f = m[r, col] / m[col, col];
                    for (var c = col; c <= k; c++)
                    {
                        m[r, c] -= f * m[col, c];
                    }
                }
            }
        }

        var x = new double[k];
        for (var r = 0; r < k; r++)
        {
            x[r] = m[r, r] == 0 ? 0 : m[r, k] / m[r, r];
        }

        return x;
    }
}
