// The simplest useful subscription: lower bounds on the scores, an upper bound on magnitude, a survey and bands.
// Written in the pipeline configuration; every bound left out is not checked. A missing score (no CNN, novelty
// still warming up) does not pass a bound on it.
using Broker.Alerts.Model;
using Broker.Pipeline.Annotation;

namespace Broker.Pipeline.Routing;

public sealed record ThresholdFilter : IAlertFilter
{
    public required string Name { get; init; }

    public Payload Payload { get; init; } = Payload.Full;

    public double? MinRb { get; init; }

    public double? MinCnn { get; init; }

    public double? MinRbCombined { get; init; }

    public double? MinNovelty { get; init; }

    /// <summary>Only alerts whose novelty came from this subspace.</summary>
    public string? NoveltySubspace { get; init; }

    /// <summary>Brighter than (numerically below) this magnitude.</summary>
    public double? MaxMag { get; init; }

    /// <summary>"ztf" or "rubin".</summary>
    public string? Survey { get; init; }

    public IReadOnlyList<string>? Bands { get; init; }

    /// <summary>Only positive differences (brighter than the template).</summary>
    public bool? Positive { get; init; }

    public bool Matches(Alert alert, AlertAnnotation annotation)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(annotation);
        return AtLeast(annotation.Rb, MinRb)
            && AtLeast(annotation.Cnn, MinCnn)
            && AtLeast(annotation.RbCombined, MinRbCombined)
            && AtLeast(annotation.Novelty?.Score, MinNovelty)
            && (NoveltySubspace is null || annotation.Novelty?.Subspace == NoveltySubspace)
            && (MaxMag is not { } max || alert.Mag <= max)
            && (Survey is null || string.Equals(AnnotationEncoder.SurveyName(alert.Survey), Survey, StringComparison.OrdinalIgnoreCase))
            && (Bands is null || Bands.Contains(alert.Band, StringComparer.Ordinal))
            && (Positive is not { } positive || alert.IsPositive == positive);
    }

    private static bool AtLeast(float? value, double? bound) => bound is not { } b || (value is { } v && v >= b);
}
