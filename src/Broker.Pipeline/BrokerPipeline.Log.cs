// What the pipeline says: a fatal error stops it (Fail), Kafka clients' errors and warnings are logged, and every
// log message is declared here once (source-generated LoggerMessage).
using Confluent.Kafka;
using Microsoft.Extensions.Logging;


namespace Broker.Pipeline;

public sealed partial class BrokerPipeline
{
    private void Fail(string error)
    {
        if (Status.State == PipelineState.Failed)
        {
            return;
        }

        Status.Error = error;
        Status.State = PipelineState.Failed;
        LogFailed(_log, error);
        _failed.Cancel();
    }

    private void OnClientError(string client, Error error)
    {
        if (error.IsFatal)
        {
            Fail($"{client}: {error.Reason}");
        }
        else
        {
            LogClientError(_log, client, error.Code.ToString(), error.Reason);
        }
    }

    private void OnClientLog(string client, LogMessage message)
    {
        if (message.Level <= SyslogLevel.Warning)
        {
            LogClientWarning(_log, client, message.Facility, message.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline running: input {Topics}, group {Group}, rb {RbModel}, cnn {CnnModel}, {Filters} filters")]
    private static partial void LogStarted(ILogger log, string topics, string group, string rbModel, string cnnModel, int filters);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up: scored {Alerts} sample alerts in {Milliseconds:F0} ms before consuming")]
    private static partial void LogWarmedUp(ILogger log, int alerts, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline stopped: {Consumed} consumed, {Published} published, {DeadLettered} dead-lettered")]
    private static partial void LogStopped(ILogger log, long consumed, long published, long deadLettered);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {Source} at {Stage}: {Error}")]
    private static partial void LogDeadLetter(ILogger log, string source, string stage, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline failed: {Error}")]
    private static partial void LogFailed(ILogger log, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId} published but not remembered by its object ({Error}); a re-delivery of it would be published again")]
    private static partial void LogRememberFailed(ILogger log, long alertId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned {Partitions}")]
    private static partial void LogAssigned(ILogger log, string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The object ledger fails ({Error}: {Reason}): alerts are held and retried with backoff, none is dead-lettered for it; /health is degraded until it answers")]
    private static partial void LogObjectsFailing(ILogger log, string error, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The object ledger answers again: held alerts continue")]
    private static partial void LogObjectsRecovered(ILogger log);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stop: not drained within processing.drain_seconds ({DrainSeconds} s); {InFlight} messages in flight and the rest of the queue are left uncommitted and will be re-read after a restart")]
    private static partial void LogNotDrained(ILogger log, double drainSeconds, int inFlight);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked {Partitions} (drained and committed)")]
    private static partial void LogRevoked(ILogger log, string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revoked {Partitions} ({Drained}; commit: {Commit}); their next owner re-reads from the last commit")]
    private static partial void LogRevokedUncommitted(ILogger log, string partitions, string drained, string commit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost {Partitions} (not committed: their next owner re-reads)")]
    private static partial void LogLost(ILogger log, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Committed at {Why}: {Offsets}")]
    private static partial void LogCommitted(ILogger log, string why, string offsets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Commit at {Why} failed: {Reason}")]
    private static partial void LogCommitFailed(ILogger log, string why, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Offset {Offset} not stored: {Reason}")]
    private static partial void LogStoreSkipped(ILogger log, string offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving the consumer group before closing did not finish: {Reason}; closing anyway")]
    private static partial void LogLeaveIncomplete(ILogger log, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume error: {Reason}")]
    private static partial void LogConsumeError(ILogger log, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka {Client} error {Code}: {Reason}")]
    private static partial void LogClientError(ILogger log, string client, string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka {Client} [{Facility}] {Message}")]
    private static partial void LogClientWarning(ILogger log, string client, string facility, string message);
}
