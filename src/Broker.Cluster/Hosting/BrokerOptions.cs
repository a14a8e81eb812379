// The configuration file as a whole (`broker run --config FILE`; deploy/broker.json is an annotated example): the
// pipeline's sections (Broker.Pipeline's PipelineOptions: kafka, schemas, models, processing, metrics, archive,
// filters) plus the cluster's, which this project owns. It lives in the composition root because only here are both
// known; unknown keys stay errors, so a typo never silently falls back to a default.
using Broker.Pipeline.Configuration;

namespace Broker.Cluster.Hosting;

/// <summary>Everything a broker process is configured with: the pipeline's sections and the cluster's.</summary>
public sealed record BrokerOptions : PipelineOptions
{
    /// <summary>The Orleans silo `broker run` starts (docs/cluster.md).</summary>
    public ClusterOptions Cluster { get; init; } = new();

    /// <summary>Reads and checks a configuration file (relative paths from its folder); a missing file is a clear error.</summary>
    public static new BrokerOptions Load(string path) => Load<BrokerOptions>(path);

    /// <summary>Checks every section (the pipeline's and the cluster's); returns this configuration or throws naming the key.</summary>
    public new BrokerOptions Validate(string source = "configuration") => (BrokerOptions)base.Validate(source);

    /// <inheritdoc/>
    protected override IEnumerable<string> SectionProblems() => Cluster.Problem() is { } problem ? [problem] : [];
}
