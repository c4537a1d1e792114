using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Workq.Client.Hosting;

/// <summary>
/// Leases the jobs of one queue and runs a handler for each, up to
/// <see cref="WorkqWorkerOptions.Concurrency"/> at once.
/// </summary>
/// <remarks>
/// <para>
/// Slots: the loop takes a free slot before it leases, so a leased job always starts at
/// once; a job gives its slot back only after it has been reported, so the slots also
/// bound the jobs the server sees leased to this worker.
/// </para>
/// <para>
/// Two ways a handler's token is cancelled: its job's TTR deadline, and the host giving up
/// on shutdown (the token passed to <see cref="StopAsync"/>). Either way the job is not
/// reported: the server hands it out again when its TTR ends. The stopping token of
/// <see cref="ExecuteAsync"/> only stops leasing.
/// </para>
/// </remarks>
internal sealed partial class WorkqWorker(
    string queue,
    Func<LeasedJob, CancellationToken, Task<JobOutput>> handler,
    WorkqClient client,
    WorkqWorkerOptions options,
    ILogger<WorkqWorker> logger) : BackgroundService
{
    private readonly SemaphoreSlim slots = new(options.Concurrency, options.Concurrency);
    private readonly CancellationTokenSource giveUp = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(queue, options.Concurrency, client.Server);
        TimeSpan retryDelay = options.RetryDelay;
        while (true)
        {
            try
            {
                await slots.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            LeasedJob? job;
            try
            {
                job = await client.LeaseAsync(queue, options.LeaseWait, stoppingToken);
            }
            catch (Exception e)
            {
                slots.Release();
                if (e is OperationCanceledException && stoppingToken.IsCancellationRequested)
                    break;
                if (e is ObjectDisposedException)
                {
                    LogClientDisposed(queue);
                    break;
                }
                // A lost server is expected now and then: its message says enough, without the stack.
                LogLeaseFailed(queue, e.Message, retryDelay, e is WorkqConnectionException ? null : e);
                if (!await DelayAsync(Jittered(retryDelay), stoppingToken))
                    break;
                retryDelay = Min(retryDelay * 2, options.MaxRetryDelay);
                continue;
            }

            retryDelay = options.RetryDelay;
            if (job is null)
            {
                slots.Release();
                continue;
            }
            // The TTR runs from when the server sent the job, so the deadline is set now,
            // as its reply has just arrived (the margin covers the time it was on its way).
            var deadline = new CancellationTokenSource(Deadline(job.Ttr));
            LogLeased(job.Id, queue, job.Ttr);
            // On the thread pool, so that a handler that blocks before its first await
            // does not hold up the loop.
            _ = Task.Run(() => RunAsync(job, deadline), CancellationToken.None);
        }

        int running = options.Concurrency - slots.CurrentCount;
        LogStopping(queue, running);
        // Every job holds its slot until it has been reported: holding all of them means none runs.
        for (int i = 0; i < options.Concurrency; i++)
            await slots.WaitAsync(CancellationToken.None);
        LogStopped(queue);
    }

    /// <summary>
    /// Stops leasing at once, then waits for the running jobs until
    /// <paramref name="cancellationToken"/> (the host's shutdown timeout) fires, which
    /// cancels their handlers.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The base class waits with this token itself; given none, it only cancels the
        // stopping token, and the wait (and what follows it) is ours.
        Task stopped = base.StopAsync(CancellationToken.None);
        try
        {
            await stopped.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            int running = options.Concurrency - slots.CurrentCount;
            if (running > 0)
                LogGivingUp(queue, running);
            giveUp.Cancel();
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        base.Dispose();
        giveUp.Dispose();
    }

    /// <summary>Runs one job's handler and reports its outcome; never throws; gives the job's slot back.</summary>
    private async Task RunAsync(LeasedJob job, CancellationTokenSource deadline)
    {
        try
        {
            using CancellationTokenRegistration onDeadline = deadline.Token.Register(() => LogTtrDeadline(job.Id, queue, job.Ttr));
            using var handlerToken = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, giveUp.Token);
            JobOutput output = default;
            Exception? error = null;
            try
            {
                output = await handler(job, handlerToken.Token);
            }
            catch (Exception e)
            {
                error = e;
            }

            // Cancelled, whatever the handler made of it: the job is the server's again
            // (or soon will be), and a late answer would race with its next attempt.
            if (handlerToken.IsCancellationRequested)
            {
                LogNotReported(job.Id, queue);
                return;
            }

            if (error is not null)
            {
                LogHandlerFailed(job.Id, queue, error.Message, error);
                await ReportAsync(job, success: false, FailureText.From(error), deadline.Token);
            }
            else if (output.Data.Length > Arguments.MaxDataSize)
            {
                LogOutputTooLarge(job.Id, queue, output.Data.Length, Arguments.MaxDataSize);
                string text = $"The handler's result is {output.Data.Length} bytes; Workq takes at most {Arguments.MaxDataSize}.";
                await ReportAsync(job, success: false, Encoding.UTF8.GetBytes(text), deadline.Token);
            }
            else
            {
                await ReportAsync(job, success: true, output.Data, deadline.Token);
            }
        }
        catch (Exception e)
        {
            LogUnexpected(job.Id, queue, e); // a bug of ours; the worker carries on
        }
        finally
        {
            deadline.Dispose();
            slots.Release();
        }
    }

    /// <summary>
    /// Completes or fails the job. A lost connection is retried until the job's TTR
    /// deadline: by then the server is about to hand the job out again anyway. A second
    /// attempt may meet <c>Duplicate result</c> when the first did reach the server.
    /// </summary>
    private async Task ReportAsync(LeasedJob job, bool success, ReadOnlyMemory<byte> result, CancellationToken deadline)
    {
        string outcome = success ? "completed" : "failed";
        TimeSpan retryDelay = options.RetryDelay;
        while (true)
        {
            try
            {
                if (success)
                    await client.CompleteAsync(job.Id, result, giveUp.Token);
                else
                    await client.FailAsync(job.Id, result, giveUp.Token);
                LogReported(job.Id, queue, outcome);
                return;
            }
            catch (WorkqConnectionException e) when (!deadline.IsCancellationRequested && !giveUp.IsCancellationRequested)
            {
                LogReportRetry(job.Id, queue, outcome, e.Message, retryDelay);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline, giveUp.Token);
                if (!await DelayAsync(retryDelay, either.Token))
                {
                    LogReportFailed(job.Id, queue, outcome, e);
                    return;
                }
                retryDelay = Min(retryDelay * 2, options.MaxRetryDelay);
            }
            catch (Exception e)
            {
                // NOT-FOUND (deleted, expired), Duplicate result (finished by someone else
                // after a TTR ran out), a client disposed or a host giving up on shutdown.
                LogReportFailed(job.Id, queue, outcome, e);
                return;
            }
        }
    }

    /// <summary>When a handler is cancelled: the TTR less the margin, but never less than half the TTR, so that a short TTR still leaves time for the work.</summary>
    private TimeSpan Deadline(TimeSpan ttr)
    {
        TimeSpan beforeMargin = ttr - options.TtrMargin;
        return beforeMargin > ttr / 2 ? beforeMargin : ttr / 2;
    }

    /// <summary>Within 20% either way, so that the workers of many processes do not all come back at once after a server restart.</summary>
    private static TimeSpan Jittered(TimeSpan delay) => delay * (0.8 + 0.4 * Random.Shared.NextDouble());

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Waits; false when <paramref name="cancellationToken"/> ended the wait.</summary>
    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
