// Writes a parsed filter back as text with every operation parenthesized: what `broker filter check` shows as the
// compiled form, so an author sees how precedence was read (`a or b and c` is `(a or (b and c))`).
using System.Globalization;

namespace Broker.Filters.Language;

public static class FilterPrinter
{
    public static string Print(Node node) => node switch
    {
        NumberLiteral n => n.Value.ToString("R", CultureInfo.InvariantCulture),
        StringLiteral s => "'" + s.Value.Replace("'", "''", StringComparison.Ordinal) + "'",
        BoolLiteral b => b.Value ? "true" : "false",
        NullLiteral => "null",
        NameRef r => r.Name,
        Unary { Op: UnaryOp.Not } u => $"(not {Print(u.Operand)})",
        Unary u => $"(-{Print(u.Operand)})",
        Binary b => $"({Print(b.Left)} {Symbol(b.Op)} {Print(b.Right)})",
        InList l => $"({Print(l.Operand)}{(l.Negated ? " not" : string.Empty)} in ({string.Join(", ", l.Items.Select(Print))}))",
        Between b => $"({Print(b.Operand)}{(b.Negated ? " not" : string.Empty)} between {Print(b.Low)} and {Print(b.High)})",
        IsNull n => $"({Print(n.Operand)} is {(n.Negated ? "not " : string.Empty)}null)",
        Call c => $"{c.Function}({string.Join(", ", c.Arguments.Select(Print))})",
        _ => "?",
    };

    private static string Symbol(BinaryOp op) => op switch
    {
        BinaryOp.And => "and",
        BinaryOp.Or => "or",
        BinaryOp.Add => "+",
        BinaryOp.Subtract => "-",
        BinaryOp.Multiply => "*",
        BinaryOp.Divide => "/",
        BinaryOp.Modulo => "%",
        BinaryOp.Equal => "=",
        BinaryOp.NotEqual => "!=",
        BinaryOp.Less => "<",
        BinaryOp.LessEqual => "<=",
        BinaryOp.Greater => ">",
        _ => ">=",
    };
}
