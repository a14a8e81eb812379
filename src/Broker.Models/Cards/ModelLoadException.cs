namespace Broker.Models.Cards;

/// <summary>A model directory that cannot be used: missing files, checksum mismatch, unknown features, corrupt model.</summary>
public sealed class ModelLoadException : Exception
{
    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
