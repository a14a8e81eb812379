namespace Broker.Models.Xgboost;

/// <summary>XGBoost refused a call (its own message), or its native library is missing (with the fix).</summary>
public sealed class XgboostException : Exception
{
    public XgboostException(string message)
        : base(message)
    {
    }

    public XgboostException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
