// A model directory: card.json plus the model file it names, whose sha256 must match the card. Every model
// kind loads through here, so a missing or changed file is always the same clear ModelLoadException.
using System.Security.Cryptography;

namespace Broker.Models.Cards;

public static class ModelDirectory
{
    /// <summary>Reads the card and the model file's bytes (checked against the card's sha256).</summary>
    public static (ModelCard Card, byte[] ModelBytes, string ModelPath) Read(string directory, string trainCommand)
    {
        var cardPath = Path.Combine(directory, ModelCard.FileName);
        if (!File.Exists(cardPath))
        {
            throw new ModelLoadException($"No model card at {cardPath}: train one with `{trainCommand}`, or point --model at a model directory.");
        }

        ModelCard card;
        try
        {
            card = ModelCard.FromJson(File.ReadAllText(cardPath));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ModelLoadException($"{cardPath} is not a valid model card: {e.Message}", e);
        }

        var modelPath = Path.Combine(directory, card.ModelFile);
        if (!File.Exists(modelPath))
        {
            throw new ModelLoadException($"Model file {modelPath} named by {cardPath} is missing.");
        }

        var bytes = File.ReadAllBytes(modelPath);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(sha, card.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelLoadException($"{modelPath} has sha256 {sha}, but its card says {card.Sha256}: the file was changed or corrupted.");
        }

        return (card, bytes, modelPath);
    }
}
