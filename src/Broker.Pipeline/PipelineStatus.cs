// What /health reports: the pipeline's state, its assignment and counts.
namespace Broker.Pipeline;

public enum PipelineState
{
    Starting,
    Running,
    Draining,
    Stopped,
    Failed,
}

public sealed class PipelineStatus
{
    private long _consumed;
    private long _published;
    private long _deadLettered;

    public PipelineState State { get; internal set; } = PipelineState.Starting;

    /// <summary>Why the pipeline failed, when it did.</summary>
    public string? Error { get; internal set; }

    public IReadOnlyList<string> Assigned { get; internal set; } = [];

    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Input messages whose every output is stored.</summary>
    public long Published => Interlocked.Read(ref _published);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    internal void AddConsumed() => Interlocked.Increment(ref _consumed);

    internal void AddPublished() => Interlocked.Increment(ref _published);

    internal void AddDeadLettered() => Interlocked.Increment(ref _deadLettered);
}
