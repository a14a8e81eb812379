// Renders a model card as CARD.md for people: the same facts as card.json.
using System.Text;
using System.Text.Json;

namespace Broker.Models.Cards;

public static class ModelCardMarkdown
{
    public const string FileName = "CARD.md";

    public static string Render(ModelCard card, string description)
    {
        ArgumentNullException.ThrowIfNull(card);
        var indented = new JsonSerializerOptions { WriteIndented = true };
        var sb = new StringBuilder();
        sb.Append("# Model card: ").Append(card.Id).Append("\n\n");
        sb.Append(description).Append("\n\n");
        sb.Append("- kind: ").Append(card.Kind).Append('\n');
        sb.Append("- model file: `").Append(card.ModelFile).Append("` (sha256 `").Append(card.Sha256).Append("`, checked on load)\n");
        sb.Append("- library: ").Append(card.Library).Append('\n');
        sb.Append("- created: ").Append(card.Created).Append('\n');
        if (card.Rounds is { } rounds)
        {
            sb.Append(card.Features.Count > 0 ? "- boosting rounds: " : "- epochs: ").Append(rounds).Append('\n');
        }

        if (card.Features.Count > 0)
        {
            sb.Append("\n## Inputs (in column order)\n\n");
            sb.Append(string.Join(", ", card.Features.Select(f => $"`{f}`"))).Append("\n\nDefinitions: docs/features.md.\n\n");
        }
        else
        {
            sb.Append("\n## Input\n\nThe cutout triplet, preprocessed as `").Append(card.Preprocessing)
                .Append("` (src/Broker.Models/Cnn/CutoutTensor.cs; docs/models.md).\n\n");
        }
        sb.Append("## Parameters\n\n");
        foreach (var (k, v) in card.Parameters)
        {
            sb.Append("- ").Append(k).Append(" = ").Append(v).Append('\n');
        }

        sb.Append("\n## Training data\n\n```json\n").Append(card.Training.ToJsonString(indented)).Append("\n```\n\n");
        sb.Append("## Metrics\n\n```json\n").Append(card.Metrics.ToJsonString(indented)).Append("\n```\n");
        return sb.ToString();
    }
}
