// The functions a filter can call. All are pure, total and O(1): abs, sqrt, log10 (null outside their domain),
// min and max (of two or more numbers; nulls are skipped, as SQL's LEAST/GREATEST do in PostgreSQL), and
// cone(ra, dec, radius_arcsec): the alert lies within the radius of that position (great-circle distance).
using System.Linq.Expressions;
using Broker.Alerts.Model;

namespace Broker.Filters.Language;

public static class FilterFunctions
{
    public static IReadOnlyList<(string Signature, string Description)> All { get; } =
    [
        ("abs(x)", "absolute value"),
        ("sqrt(x)", "square root; null for x < 0"),
        ("log10(x)", "decimal logarithm; null for x <= 0"),
        ("min(x, y, ...)", "smallest of the non-null arguments; null if all are null"),
        ("max(x, y, ...)", "largest of the non-null arguments; null if all are null"),
        ("cone(ra, dec, radius_arcsec)", "the alert is within radius_arcsec of (ra, dec), degrees; a condition"),
    ];

    internal static (Expression, FilterType) Build(Call call, Func<Node, (Expression, FilterType)> build, ParameterExpression alert)
    {
        var args = call.Arguments.Select(build).ToList();
        void Arity(int min, int max)
        {
            if (args.Count < min || args.Count > max)
            {
                var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
                throw new FilterTypeException(call.Position, $"{call.Function}() takes {expected} argument{(max == 1 ? string.Empty : "s")}, not {args.Count}");
            }

            for (var i = 0; i < args.Count; i++)
            {
                FilterCompiler.RequireNumber(call.Arguments[i], args[i].Item2, $"argument {i + 1} of {call.Function}()");
            }
        }

        Expression Number(int i) => FilterCompiler.AsNumber(args[i].Item1, args[i].Item2);
        Expression Invoke(string method, params Expression[] arguments) => Expression.Call(typeof(FilterFunctions).GetMethod(method)!, arguments);

        switch (call.Function)
        {
            case "abs":
                Arity(1, 1);
                return (Invoke(nameof(Abs), Number(0)), FilterType.Number);
            case "sqrt":
                Arity(1, 1);
                return (Invoke(nameof(Sqrt), Number(0)), FilterType.Number);
            case "log10":
                Arity(1, 1);
                return (Invoke(nameof(Log10), Number(0)), FilterType.Number);
            case "min" or "max":
                Arity(2, 16);
                var folded = Number(0);
                for (var i = 1; i < args.Count; i++)
                {
                    folded = Invoke(call.Function == "min" ? nameof(Min) : nameof(Max), folded, Number(i));
                }

                return (folded, FilterType.Number);
            case "cone":
                Arity(3, 3);
                return (Invoke(nameof(Cone), alert, Number(0), Number(1), Number(2)), FilterType.Logic);
            default:
                var known = string.Join(", ", All.Select(f => f.Signature[..f.Signature.IndexOf('(', StringComparison.Ordinal)]));
                throw new FilterTypeException(call.Position, $"unknown function '{call.Function}'; the functions are {known}");
        }
    }

    public static double Abs(double x) => Math.Abs(x);

    public static double Sqrt(double x) => x >= 0 ? Math.Sqrt(x) : double.NaN;

    public static double Log10(double x) => x > 0 ? Math.Log10(x) : double.NaN;

    public static double Min(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Min(a, b);

    public static double Max(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Max(a, b);

    /// <summary>Whether the alert is within <paramref name="radiusArcsec"/> of (ra, dec): haversine distance.</summary>
    public static sbyte Cone(Alert alert, double ra, double dec, double radiusArcsec)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (double.IsNaN(ra) || double.IsNaN(dec) || double.IsNaN(radiusArcsec) || double.IsNaN(alert.Ra) || double.IsNaN(alert.Dec))
        {
            return Logic.Unknown;
        }

        const double Radians = Math.PI / 180;
        var dDec = (alert.Dec - dec) * Radians;
        var dRa = (alert.Ra - ra) * Radians;
        var h = (Math.Sin(dDec / 2) * Math.Sin(dDec / 2)) + (Math.Cos(dec * Radians) * Math.Cos(alert.Dec * Radians) * Math.Sin(dRa / 2) * Math.Sin(dRa / 2));
        var distanceArcsec = 2 * Math.Asin(Math.Min(1, Math.Sqrt(h))) / Radians * 3600;
        return Logic.Of(distanceArcsec <= radiusArcsec);
    }
}
