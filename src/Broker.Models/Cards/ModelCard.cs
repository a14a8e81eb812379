// The model card stored next to a model file (boosted trees or a network): what goes in, what it was trained on, with which parameters,
// how well it did, and the model file's sha256 (checked on load). `CARD.md` is rendered from it.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Broker.Models.Cards;

public sealed record ModelCard
{
    public const string FileName = "card.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // cards are read by people: keep "->" and quotes as typed
    };

    public required string Id { get; init; }

    public required string Kind { get; init; }

    public required string ModelFile { get; init; }

    public required string Sha256 { get; init; }

    public required string Created { get; init; }

    public required string Library { get; init; }

    /// <summary>Input feature names in column order (FeatureCatalog names); empty for a model of the cutouts.</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>For a model of the cutouts: the preprocessing it was trained on (CutoutTensor.Version).</summary>
    public string? Preprocessing { get; init; }

    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    /// <summary>Boosting rounds (trees) or training epochs (networks).</summary>
    public int? Rounds { get; init; }

    /// <summary>Command, generator seed, scene folders and counts.</summary>
    public required JsonObject Training { get; init; }

    /// <summary>Held-out and real-alert figures, as `broker train` measured them.</summary>
    public required JsonObject Metrics { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelCard FromJson(string json) =>
        JsonSerializer.Deserialize<ModelCard>(json, Json) ?? throw new JsonException("empty model card");
}
