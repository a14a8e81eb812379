// A path given to a command that cannot be read at all (missing, not readable, a glob matching nothing): one line
// that names it. Commands print the message and exit 2.
namespace Broker.Sources;

public sealed class SourcePathException : Exception
{
    public SourcePathException(string message) : base(message) { }

    public SourcePathException(string message, Exception inner) : base(message, inner) { }

    public SourcePathException() { }
}
