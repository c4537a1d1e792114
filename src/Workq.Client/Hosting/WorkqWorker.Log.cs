using Microsoft.Extensions.Logging;

namespace Workq.Client.Hosting;

// What the worker logs, as source-generated log methods.
internal sealed partial class WorkqWorker
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Workq worker for {Queue} started: up to {Concurrency} jobs at once, server {Server}")]
    private partial void LogStarted(string queue, int concurrency, string server);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Leased job {JobId} from {Queue}, TTR {Ttr}")]
    private partial void LogLeased(Guid jobId, string queue, TimeSpan ttr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leasing from {Queue} failed: {Reason}; trying again in about {Delay}")]
    private partial void LogLeaseFailed(string queue, string reason, TimeSpan delay, Exception? exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Workq client was disposed: the worker for {Queue} stops leasing")]
    private partial void LogClientDisposed(string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of {Queue} is near the end of its TTR of {Ttr}: its handler is cancelled and the job left to the server, which hands it out again when the TTR ends")]
    private partial void LogTtrDeadline(Guid jobId, string queue, TimeSpan ttr);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} of {Queue}: its handler was cancelled, so the job is not reported")]
    private partial void LogNotReported(Guid jobId, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of {Queue} failed: {Message}")]
    private partial void LogHandlerFailed(Guid jobId, string queue, string message, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of {Queue}: the handler's result of {Size} bytes is over the limit of {Limit}; the job is failed")]
    private partial void LogOutputTooLarge(Guid jobId, string queue, int size, int limit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} of {Queue} {Outcome}")]
    private partial void LogReported(Guid jobId, string queue, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of {Queue} could not be reported {Outcome}: {Reason}; trying again in {Delay}")]
    private partial void LogReportRetry(Guid jobId, string queue, string outcome, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of {Queue} could not be reported {Outcome}; the server keeps it, and hands a leased job out again when its TTR ends")]
    private partial void LogReportFailed(Guid jobId, string queue, string outcome, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} of {Queue}: unexpected error in the worker")]
    private partial void LogUnexpected(Guid jobId, string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workq worker for {Queue} stops leasing; waiting for {Running} running jobs")]
    private partial void LogStopping(string queue, int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The host's shutdown timeout ended with {Running} jobs of {Queue} still running: their handlers are cancelled and the jobs left to the server, which hands them out again when their TTRs end")]
    private partial void LogGivingUp(string queue, int running);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workq worker for {Queue} stopped")]
    private partial void LogStopped(string queue);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} of {Queue} touched: leased for another {Ttr}")]
    private partial void LogTouched(Guid jobId, string queue, TimeSpan ttr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of {Queue} could not be touched: {Reason}; trying again in {Delay}")]
    private partial void LogTouchFailed(Guid jobId, string queue, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of {Queue} is no longer leased to this worker (a touch found no lease): its handler is cancelled and the job not reported")]
    private partial void LogLeaseLost(Guid jobId, string queue);
}
