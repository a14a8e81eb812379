// The one exception that stops a running pipeline: its outputs could not be stored, so nothing past it is committed
// and a restart re-reads.
namespace Broker.Pipeline;

/// <summary>The pipeline stopped on an error it must not paper over (outputs could not be stored); nothing past it was committed.</summary>
public sealed class PipelineFailedException : Exception
{
    public PipelineFailedException(string message) : base(message) { }

    public PipelineFailedException(string message, Exception inner) : base(message, inner) { }

    public PipelineFailedException() { }
}
