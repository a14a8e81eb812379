// One process's novelty models: a streaming NoveltyLearner per survey, updated under a lock (the learner is single-
// writer by design, ~11 us per alert). What `broker filter test` and a pipeline outside a silo use.
using Broker.Alerts.Model;
using Broker.Engine.Annotation;
using Broker.Novelty;
using Broker.Novelty.Snapshots;

namespace Broker.Engine.Shared;

public sealed class LocalNoveltyModels : INoveltyModels
{
    private readonly NoveltyLearner[] _learners;
    private readonly Lock[] _gates;

    /// <summary>Each survey's learner starts from <paramref name="seed"/> mixed with the survey's name.</summary>
    public LocalNoveltyModels(ulong seed)
    {
        var surveys = Enum.GetValues<Survey>();
        _learners = [.. surveys.Select(s => new NoveltyLearner(new NoveltyOptions { Seed = SeedFor(seed, s) }))];
        _gates = [.. surveys.Select(_ => new Lock())];
    }

    public NoveltyLearner this[Survey survey] => _learners[(int)survey];

    public NoveltySnapshot? Current(Survey survey) => _learners[(int)survey].Current;

    public void Learn(Survey survey, float[] features)
    {
        lock (_gates[(int)survey])
        {
            _learners[(int)survey].Update(features);
        }
    }

    /// <summary>A fixed seed per survey (FNV-1a of the survey's name over <paramref name="seed"/>), equal in every process.</summary>
    public static ulong SeedFor(ulong seed, Survey survey) => SeedFor(seed, AnnotationEncoder.SurveyName(survey));

    /// <summary>
    /// The same by survey name (not string.GetHashCode, which differs per process). The cluster's model grains use it
    /// with seed 0, so one survey's model starts the same on any silo.
    /// </summary>
    public static ulong SeedFor(ulong seed, string survey)
    {
        ArgumentNullException.ThrowIfNull(survey);
        var hash = 14695981039346656037UL ^ seed;
        foreach (var c in survey)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
