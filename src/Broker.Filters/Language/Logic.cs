// Three-valued logic, as in SQL: a comparison with a missing value (null, or NaN) is unknown, `not unknown` is
// unknown, `false and unknown` is false, `true or unknown` is true. A filter passes only when its value is true,
// so `not (cnn > 0.5)` does not pass an alert that has no CNN score: write `cnn is null or cnn <= 0.5` for that.
namespace Broker.Filters.Language;

public static class Logic
{
    public const sbyte False = 0;
    public const sbyte True = 1;
    public const sbyte Unknown = -1;

    public static sbyte Of(bool value) => value ? True : False;

    public static sbyte Not(sbyte value) => value == Unknown ? Unknown : (sbyte)(1 - value);

    /// <summary>Both known: the conjunction; otherwise unknown (the caller already returned on a false left side).</summary>
    public static sbyte AndRest(sbyte left, sbyte right) => right == False ? False : (left == True && right == True ? True : Unknown);

    public static sbyte OrRest(sbyte left, sbyte right) => right == True ? True : (left == False && right == False ? False : Unknown);

    public static sbyte Less(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : Of(a < b);

    public static sbyte LessEqual(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : Of(a <= b);

    public static sbyte Greater(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : Of(a > b);

    public static sbyte GreaterEqual(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : Of(a >= b);

    public static sbyte Equal(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : Of(a == b);

    public static sbyte NotEqual(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : Of(a != b);

    public static sbyte Equal(string? a, string? b) => a is null || b is null ? Unknown : Of(string.Equals(a, b, StringComparison.Ordinal));

    public static sbyte NotEqual(string? a, string? b) => a is null || b is null ? Unknown : Of(!string.Equals(a, b, StringComparison.Ordinal));

    public static sbyte Compare(string? a, string? b, int sign, bool orEqual)
    {
        if (a is null || b is null)
        {
            return Unknown;
        }

        var c = Math.Sign(string.CompareOrdinal(a, b));
        return Of(c == sign || (orEqual && c == 0));
    }

    public static sbyte Equal(sbyte a, sbyte b) => a == Unknown || b == Unknown ? Unknown : Of(a == b);

    public static sbyte NotEqual(sbyte a, sbyte b) => a == Unknown || b == Unknown ? Unknown : Of(a != b);
}
