using Broker.Alerts.Decoding;
using Broker.Simulation.Scenes;

namespace Broker.Models.Tests;

internal static class TestData
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "fixtures", "alerts");

    public static string ShippedModel => Path.Combine(AppContext.BaseDirectory, "models", "rb");

    private static readonly Lazy<SceneLibrary> LazyScenes = new(() => SceneLibrary.Load([Fixtures], new AlertDecoder()));

    public static SceneLibrary Scenes => LazyScenes.Value;
}
