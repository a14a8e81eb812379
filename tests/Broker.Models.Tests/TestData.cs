using Broker.Alerts.Decoding;
using Broker.Simulation.Scenes;

namespace Broker.Models.Tests;

internal static class TestData
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts");

    public static string ShippedModel => Path.Combine(AppContext.BaseDirectory, "models", "rb");

    /// <summary>The fp32 network as trained (torch parity is checked on it).</summary>
    public static string ShippedCnn => Path.Combine(AppContext.BaseDirectory, "models", "cnn");

    /// <summary>Its int8 derivative, which the broker serves by default.</summary>
    public static string ServedCnn => Path.Combine(AppContext.BaseDirectory, "models", "cnn-int8");

    public static string OnnxFixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "onnx", name);

    private static readonly Lazy<SceneLibrary> LazyScenes = new(() => SceneLibrary.Load([Fixtures], new AlertDecoder()));

    public static SceneLibrary Scenes => LazyScenes.Value;
}
