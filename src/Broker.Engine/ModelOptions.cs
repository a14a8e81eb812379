// The configuration file's "models" section: which served models the engine loads (ServedModels.Load). Owned by the
// engine because it is the engine that loads and disposes them together; paths are resolved against the file's folder.
namespace Broker.Engine;

/// <summary>The folders of the served models.</summary>
public sealed record ModelOptions
{
    /// <summary>The real/bogus trees' folder (with their card and the survey stacks).</summary>
    public string Rb { get; init; } = "models/rb";

    /// <summary>The cutout CNN's folder; null runs without the CNN (cnn fields are null).</summary>
    public string? Cnn { get; init; } = "models/cnn-int8";
}
