// Type-checks a parsed filter and compiles it once into a delegate (System.Linq.Expressions), so that an
// evaluation is a few field reads and comparisons: no interpretation, no allocation, no loops, no I/O.
// Values in compiled code: numbers are doubles (NaN is null), text is string (null is null), conditions are
// three-valued (Logic). The filter passes when the whole condition is true.
using System.Linq.Expressions;
using System.Reflection;
using Broker.Alerts.Model;
using Broker.Avro.Generic;
using Broker.Engine.Annotation;

namespace Broker.Filters.Language;

public sealed class CompiledExpression(Func<Alert, AlertAnnotation, bool> evaluate, string canonical)
{
    public Func<Alert, AlertAnnotation, bool> Evaluate { get; } = evaluate;

    /// <summary>The expression fully parenthesized, as the compiler understood it.</summary>
    public string Canonical { get; } = canonical;
}

public static class FilterCompiler
{
    private static readonly ParameterExpression AlertParameter = Expression.Parameter(typeof(Alert), "alert");
    private static readonly ParameterExpression AnnotationParameter = Expression.Parameter(typeof(AlertAnnotation), "annotation");

    /// <summary>Parses, checks and compiles <paramref name="text"/>; throws <see cref="FilterException"/> with a position.</summary>
    public static CompiledExpression Compile(string text, TextPosition origin = default)
    {
        var node = Parser.Parse(text, origin);
        var (body, type) = Build(node);
        if (type is not (FilterType.Logic or FilterType.Raw))
        {
            throw new FilterTypeException(node.Position, $"a filter is a condition, but this expression is a {Describe(type)}");
        }

        var logic = AsLogic(body, type);
        var passes = Expression.Equal(logic, Expression.Constant(Logic.True));
        var lambda = Expression.Lambda<Func<Alert, AlertAnnotation, bool>>(passes, AlertParameter, AnnotationParameter);
        return new CompiledExpression(lambda.Compile(), FilterPrinter.Print(node));
    }

    private static (Expression Body, FilterType Type) Build(Node node) => node switch
    {
        NumberLiteral n => (Expression.Constant(n.Value), FilterType.Number),
        StringLiteral s => (Expression.Constant(s.Value, typeof(string)), FilterType.Text),
        BoolLiteral b => (Expression.Constant(Logic.Of(b.Value)), FilterType.Logic),
        NullLiteral => (Expression.Constant(null), FilterType.Null),
        NameRef r => Name(r),
        Unary u => UnaryNode(u),
        Binary b => BinaryNode(b),
        InList l => InNode(l),
        Between b => BetweenNode(b),
        IsNull n => IsNullNode(n),
        Call c => FilterFunctions.Build(c, Build, AlertParameter),
        _ => throw new FilterTypeException(node.Position, "unsupported expression"),
    };

    private static (Expression, FilterType) Name(NameRef r)
    {
        if (FilterNames.TryGet(r.Name, out var name))
        {
            Expression read = Expression.Invoke(Expression.Constant(name.Read), AlertParameter, AnnotationParameter);
            return (name.Type == FilterType.Logic ? Expression.Call(Method(nameof(Logic.Of), typeof(bool)), read) : read, name.Type);
        }

        if (FilterNames.IsRawPath(r.Name))
        {
            var read = typeof(FilterNames).GetMethod(nameof(FilterNames.ReadRaw))!;
            return (Expression.Call(read, AlertParameter, Expression.Constant(r.Name.Split('.'))), FilterType.Raw);
        }

        var hint = r.Name.Length > 40 ? null : FilterNames.All.Select(n => n.Name).Where(n => Distance(n, r.Name) <= 2).OrderBy(n => Distance(n, r.Name)).FirstOrDefault();
        var raw = string.Join(", ", FilterNames.RawRoots.Select(root => root + "."));
        throw new FilterTypeException(r.Position, $"unknown name '{r.Name}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; raw fields start with one of {raw}");
    }

    private static (Expression, FilterType) UnaryNode(Unary u)
    {
        var (operand, type) = Build(u.Operand);
        if (u.Op == UnaryOp.Not)
        {
            RequireLogic(u.Operand, type, "'not'");
            return (Expression.Call(Method(nameof(Logic.Not), typeof(sbyte)), AsLogic(operand, type)), FilterType.Logic);
        }

        RequireNumber(u.Operand, type, "'-'");
        return (Expression.Negate(AsNumber(operand, type)), FilterType.Number);
    }

    private static (Expression, FilterType) BinaryNode(Binary b)
    {
        var (left, lt) = Build(b.Left);
        var (right, rt) = Build(b.Right);
        switch (b.Op)
        {
            case BinaryOp.And or BinaryOp.Or:
                var what = b.Op == BinaryOp.And ? "'and'" : "'or'";
                RequireLogic(b.Left, lt, what);
                RequireLogic(b.Right, rt, what);
                return (ShortCircuit(b.Op == BinaryOp.And, AsLogic(left, lt), AsLogic(right, rt)), FilterType.Logic);
            case BinaryOp.Add or BinaryOp.Subtract or BinaryOp.Multiply or BinaryOp.Divide or BinaryOp.Modulo:
                RequireNumber(b.Left, lt, "arithmetic");
                RequireNumber(b.Right, rt, "arithmetic");
                var l = AsNumber(left, lt);
                var r = AsNumber(right, rt);
                return b.Op switch
                {
                    BinaryOp.Add => (Expression.Add(l, r), FilterType.Number),
                    BinaryOp.Subtract => (Expression.Subtract(l, r), FilterType.Number),
                    BinaryOp.Multiply => (Expression.Multiply(l, r), FilterType.Number),
                    // x / 0 and x % 0 are null rather than infinities.
                    BinaryOp.Divide => (Expression.Call(typeof(FilterCompiler).GetMethod(nameof(Divide), BindingFlags.NonPublic | BindingFlags.Static)!, l, r), FilterType.Number),
                    _ => (Expression.Modulo(l, r), FilterType.Number),
                };
            default:
                return (Comparison(b, b.Op, left, lt, right, rt), FilterType.Logic);
        }
    }

    private static double Divide(double a, double b) => b == 0 ? double.NaN : a / b;

    private static Expression Comparison(Node at, BinaryOp op, Expression left, FilterType lt, Expression right, FilterType rt)
    {
        if (lt == FilterType.Null || rt == FilterType.Null)
        {
            throw new FilterTypeException(at.Position, "a comparison with null is never true: write 'is null' or 'is not null'");
        }

        var type = Common(at, lt, rt);
        var name = op.ToString();
        switch (type)
        {
            case FilterType.Number:
                return Expression.Call(Method(name, typeof(double), typeof(double)), AsNumber(left, lt), AsNumber(right, rt));
            case FilterType.Text when op is BinaryOp.Equal or BinaryOp.NotEqual:
                return Expression.Call(Method(name, typeof(string), typeof(string)), AsText(left, lt), AsText(right, rt));
            case FilterType.Text:
                var sign = op is BinaryOp.Less or BinaryOp.LessEqual ? -1 : 1;
                var orEqual = op is BinaryOp.LessEqual or BinaryOp.GreaterEqual;
                return Expression.Call(typeof(Logic).GetMethod(nameof(Logic.Compare))!, AsText(left, lt), AsText(right, rt), Expression.Constant(sign), Expression.Constant(orEqual));
            case FilterType.Logic when op is BinaryOp.Equal or BinaryOp.NotEqual:
                return Expression.Call(Method(name, typeof(sbyte), typeof(sbyte)), AsLogic(left, lt), AsLogic(right, rt));
            default:
                throw new FilterTypeException(at.Position, $"conditions can only be compared with '=' or '!='");
        }
    }

    /// <summary>The type two operands are compared as: equal types, or a raw field read as the other side's type.</summary>
    private static FilterType Common(Node at, FilterType a, FilterType b)
    {
        if (a == b)
        {
            return a == FilterType.Raw ? FilterType.Number : a;
        }

        if (a == FilterType.Raw || b == FilterType.Raw)
        {
            return a == FilterType.Raw ? b : a;
        }

        throw new FilterTypeException(at.Position, $"cannot compare a {Describe(a)} with a {Describe(b)}");
    }

    private static (Expression, FilterType) InNode(InList l)
    {
        var (operand, type) = Build(l.Operand);
        var items = l.Items.Select(Build).ToList();
        var common = type;
        foreach (var ((_, itemType), node) in items.Zip(l.Items))
        {
            if (itemType == FilterType.Null)
            {
                throw new FilterTypeException(node.Position, "null in an 'in' list never matches: write 'is null'");
            }

            common = Common(node, common, itemType);
        }

        if (common == FilterType.Raw)
        {
            common = FilterType.Number;
        }

        // x in (a, b) is x = a or x = b; the operand is evaluated once.
        var value = Expression.Variable(common == FilterType.Number ? typeof(double) : common == FilterType.Text ? typeof(string) : typeof(sbyte), "value");
        Expression? any = null;
        foreach (var (item, itemType) in items)
        {
            var equal = Expression.Call(Method(nameof(Logic.Equal), value.Type, value.Type), value, Convert(item, itemType, common));
            any = any is null ? equal : ShortCircuit(false, any, equal);
        }

        Expression result = Expression.Block([value], Expression.Assign(value, Convert(operand, type, common)), any!);
        return (l.Negated ? Expression.Call(Method(nameof(Logic.Not), typeof(sbyte)), result) : result, FilterType.Logic);
    }

    private static (Expression, FilterType) BetweenNode(Between b)
    {
        var (operand, type) = Build(b.Operand);
        var (low, lowType) = Build(b.Low);
        var (high, highType) = Build(b.High);
        var common = Common(b, Common(b, type, lowType), highType);
        if (common != FilterType.Number && common != FilterType.Raw)
        {
            throw new FilterTypeException(b.Position, $"'between' needs numbers, not a {Describe(common)}");
        }

        var value = Expression.Variable(typeof(double), "value");
        var inside = ShortCircuit(
            true,
            Expression.Call(Method(nameof(Logic.LessEqual), typeof(double), typeof(double)), AsNumber(low, lowType), value),
            Expression.Call(Method(nameof(Logic.LessEqual), typeof(double), typeof(double)), value, AsNumber(high, highType)));
        Expression result = Expression.Block([value], Expression.Assign(value, AsNumber(operand, type)), inside);
        return (b.Negated ? Expression.Call(Method(nameof(Logic.Not), typeof(sbyte)), result) : result, FilterType.Logic);
    }

    private static (Expression, FilterType) IsNullNode(IsNull n)
    {
        var (operand, type) = Build(n.Operand);
        Expression test = type switch
        {
            FilterType.Number => Expression.Call(typeof(double).GetMethod(nameof(double.IsNaN), [typeof(double)])!, operand),
            FilterType.Text => Expression.Equal(operand, Expression.Constant(null, typeof(string))),
            FilterType.Logic => Expression.Equal(operand, Expression.Constant(Logic.Unknown)),
            FilterType.Raw => Expression.Call(typeof(FilterNames).GetMethod(nameof(FilterNames.RawIsNull))!, operand),
            _ => Expression.Constant(true),
        };
        Expression logic = Expression.Call(Method(nameof(Logic.Of), typeof(bool)), test);
        return (n.Negated ? Expression.Call(Method(nameof(Logic.Not), typeof(sbyte)), logic) : logic, FilterType.Logic);
    }

    /// <summary>`and` stops at a false left side, `or` at a true one; otherwise both sides combine three-valued.</summary>
    private static Expression ShortCircuit(bool and, Expression left, Expression right)
    {
        var l = Expression.Variable(typeof(sbyte), "left");
        var stop = Expression.Constant(and ? Logic.False : Logic.True);
        var rest = Expression.Call(Method(and ? nameof(Logic.AndRest) : nameof(Logic.OrRest), typeof(sbyte), typeof(sbyte)), l, right);
        return Expression.Block([l], Expression.Assign(l, left), Expression.Condition(Expression.Equal(l, stop), stop, rest));
    }

    internal static Expression Convert(Expression e, FilterType from, FilterType to) => to switch
    {
        FilterType.Number => AsNumber(e, from),
        FilterType.Text => AsText(e, from),
        _ => AsLogic(e, from),
    };

    internal static Expression AsNumber(Expression e, FilterType type) =>
        type == FilterType.Raw ? Expression.Call(typeof(FilterNames).GetMethod(nameof(FilterNames.RawNumber))!, e) : e;

    private static Expression AsText(Expression e, FilterType type) =>
        type == FilterType.Raw ? Expression.Call(typeof(FilterNames).GetMethod(nameof(FilterNames.RawText))!, e) : e;

    private static Expression AsLogic(Expression e, FilterType type) =>
        type == FilterType.Raw ? Expression.Call(typeof(FilterNames).GetMethod(nameof(FilterNames.RawLogic))!, e) : e;

    internal static void RequireNumber(Node node, FilterType type, string what)
    {
        if (type is not (FilterType.Number or FilterType.Raw))
        {
            throw new FilterTypeException(node.Position, $"{what} needs a number, not a {Describe(type)}");
        }
    }

    private static void RequireLogic(Node node, FilterType type, string what)
    {
        if (type is not (FilterType.Logic or FilterType.Raw))
        {
            throw new FilterTypeException(node.Position, $"{what} needs a condition, not a {Describe(type)}");
        }
    }

    public static string Describe(FilterType type) => type switch
    {
        FilterType.Number => "number",
        FilterType.Text => "text",
        FilterType.Logic => "condition",
        FilterType.Null => "null",
        _ => "raw field",
    };

    private static MethodInfo Method(string name, params Type[] parameters) =>
        typeof(Logic).GetMethod(name, parameters) ?? throw new InvalidOperationException($"Logic.{name} is missing");

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }

        return d[a.Length, b.Length];
    }
}
