// Owns a survey's novelty model: a streaming NoveltyLearner fed by every silo's samples, and the latest snapshot
// serialized once per new snapshot (silos fetch bytes, not the learner). One activation per survey in the cluster,
// so every silo scores with the same versioned model; each annotation names the snapshot id that scored it.
// The learner's state lives in memory for now: a restarted activation learns again from the next samples.
using Broker.Features.Catalog;
using Broker.Novelty;
using Broker.Novelty.Snapshots;
using Orleans.Concurrency;

namespace Broker.Cluster.Novelty;

public sealed class NoveltyModelGrain(Microsoft.Extensions.Options.IOptions<NoveltyModelOptions> options) : Grain, INoveltyModelGrain
{
    private NoveltyLearner? _learner;
    private NoveltySnapshotMessage? _published;

    /// <summary>The surveys a model exists for; anything else is a caller's mistake, refused.</summary>
    public static readonly IReadOnlySet<string> Surveys = new HashSet<string>(["ztf", "rubin"], StringComparer.Ordinal);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var survey = this.GetPrimaryKeyString();
        if (!Surveys.Contains(survey))
        {
            throw new ArgumentException($"No novelty model for survey '{survey}': the surveys are {string.Join(", ", Surveys)}.");
        }

        _learner = new NoveltyLearner(new NoveltyOptions { Seed = SeedFor(options.Value.Seed, survey) });
        return Task.CompletedTask;
    }

    public Task<string?> Learn(Immutable<float[]> vectors)
    {
        var width = FeatureCatalog.Count;
        var values = vectors.Value ?? throw new ArgumentNullException(nameof(vectors));
        if (values.Length % width != 0)
        {
            throw new ArgumentException($"Feature vectors are {width} floats each; got {values.Length} floats.", nameof(vectors));
        }

        var learner = _learner!;
        for (var offset = 0; offset < values.Length; offset += width)
        {
            learner.Update(values.AsSpan(offset, width));
        }

        if (learner.Current is { } current && current.Id != _published?.SnapshotId)
        {
            _published = new NoveltySnapshotMessage(current.Id, this.GetPrimaryKeyString(), learner.Updates, SnapshotFile.ToBytes(current, FeatureCatalog.Names));
        }

        return Task.FromResult(_published?.SnapshotId);
    }

    public Task<NoveltySnapshotMessage?> Latest(string? known) =>
        Task.FromResult(_published is { } p && p.SnapshotId != known ? p : null);

    // A fixed seed per survey from processing.novelty_seed, as a pipeline alone derives it: every activation of a
    // survey's model, on any silo, starts the same, and a replay of the same samples gives the same snapshots in a
    // cluster or alone.
    public static ulong SeedFor(ulong seed, string survey) => Broker.Engine.Shared.LocalNoveltyModels.SeedFor(seed, survey);
}

/// <summary>The novelty models' options in the cluster: the seed (processing.novelty_seed).</summary>
public sealed class NoveltyModelOptions
{
    public ulong Seed { get; set; } = 1;
}
