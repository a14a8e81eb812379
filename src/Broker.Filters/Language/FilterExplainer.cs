// "Why was this alert not sent?": a filter split into its clauses (the operands of its and/or, at any depth), each
// with whether it held for the alert and the values of the names it reads. The same compiler and names as the
// pipeline's, so an explanation never disagrees with the routing. `broker filter explain` prints it.
using System.Globalization;
using Broker.Alerts.Model;
using Broker.Engine.Annotation;

namespace Broker.Filters.Language;

/// <summary>One clause: its text, whether it held, and each name it reads with the alert's value ("null" when none).</summary>
public sealed record ExplainedClause(string Text, bool Held, IReadOnlyList<(string Name, string Value)> Values, int Depth);

public static class FilterExplainer
{
    /// <summary>The clauses of <paramref name="text"/> for one alert, in reading order, and whether the whole filter held.</summary>
    public static (bool Held, IReadOnlyList<ExplainedClause> Clauses) Explain(string text, Alert alert, AlertAnnotation annotation)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(annotation);
        var whole = FilterCompiler.Compile(text);
        var clauses = new List<ExplainedClause>();
        Walk(Parser.Parse(text), alert, annotation, clauses, 0);
        return (whole.Evaluate(alert, annotation), clauses);
    }

    private static void Walk(Node node, Alert alert, AlertAnnotation annotation, List<ExplainedClause> clauses, int depth)
    {
        if (node is Binary { Op: BinaryOp.And or BinaryOp.Or } b)
        {
            // The connective itself is a clause too (it says whether the group held), then its operands.
            clauses.Add(Clause(node, alert, annotation, depth, [], b.Op == BinaryOp.And ? "all of" : "any of"));
            Flatten(b.Op, b.Left, alert, annotation, clauses, depth + 1);
            Flatten(b.Op, b.Right, alert, annotation, clauses, depth + 1);
            return;
        }

        clauses.Add(Clause(node, alert, annotation, depth, Names(node), null));
    }

    // `a and b and c` is one group of three, not nested pairs.
    private static void Flatten(BinaryOp op, Node node, Alert alert, AlertAnnotation annotation, List<ExplainedClause> clauses, int depth)
    {
        if (node is Binary b && b.Op == op)
        {
            Flatten(op, b.Left, alert, annotation, clauses, depth);
            Flatten(op, b.Right, alert, annotation, clauses, depth);
            return;
        }

        Walk(node, alert, annotation, clauses, depth);
    }

    private static ExplainedClause Clause(Node node, Alert alert, AlertAnnotation annotation, int depth, IReadOnlyList<string> names, string? group)
    {
        var text = FilterPrinter.Print(node);
        var held = FilterCompiler.Compile(text).Evaluate(alert, annotation);
        var values = names.Distinct(StringComparer.Ordinal).Select(n => (n, Value(n, alert, annotation))).ToList();
        var shown = Unwrap(text);
        return new ExplainedClause(group is null ? shown : $"{group}: {shown}", held, values, depth);
    }

    // The printer parenthesizes every operation; the outermost pair says nothing on a line of its own.
    private static string Unwrap(string text)
    {
        if (text.Length < 2 || text[0] != '(' || text[^1] != ')')
        {
            return text;
        }

        var depth = 0;
        for (var i = 0; i < text.Length - 1; i++)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (depth == 0)
            {
                return text; // "(a) and (b)": the first pair closes before the end
            }
        }

        return text[1..^1];
    }

    private static List<string> Names(Node node) => node switch
    {
        NameRef n => [n.Name],
        Unary u => Names(u.Operand),
        Binary b => [.. Names(b.Left), .. Names(b.Right)],
        InList i => [.. Names(i.Operand), .. i.Items.SelectMany(Names)],
        Between w => [.. Names(w.Operand), .. Names(w.Low), .. Names(w.High)],
        IsNull n => Names(n.Operand),
        Call c => [.. c.Arguments.SelectMany(Names)],
        _ => [],
    };

    /// <summary>The alert's value of a filter name, as text ("null" when it has none).</summary>
    public static string Value(string name, Alert alert, AlertAnnotation annotation)
    {
        ArgumentNullException.ThrowIfNull(name);
        object? value;
        if (FilterNames.TryGet(name, out var known))
        {
            value = known.Read.DynamicInvoke(alert, annotation);
        }
        else if (FilterNames.IsRawPath(name))
        {
            var raw = FilterNames.ReadRaw(alert, name.Split('.'));
            value = FilterNames.RawIsNull(raw) ? null : (object?)FilterNames.RawText(raw) ?? FilterNames.RawNumber(raw);
        }
        else
        {
            return "?";
        }

        return value switch
        {
            null => "null",
            double d when double.IsNaN(d) => "null",
            float f when float.IsNaN(f) => "null",
            double d => d.ToString("G6", CultureInfo.InvariantCulture),
            float f => f.ToString("G6", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            string s => "'" + s + "'",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
        };
    }
}
