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
/// <see cref="ExecuteAsync"/> only stops leasing. With <see cref="WorkqWorkerOptions.ExtendLeases"/>
/// the job is touched halfway to that deadline while its handler runs, and each extension
/// moves the deadline on; a touch answered <c>-NOT-FOUND</c> means the lease is gone, and cancels
/// the handler at once.
/// </para>
/// </remarks>
internal sealed partial class WorkqWorker(
    string queue,
    Func<LeasedJob, CancellationToken, Task<JobOutput>> handler,
    IWorkqClient client,
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
            var lease = new LeaseState();
            using CancellationTokenRegistration onDeadline = deadline.Token.Register(() =>
            {
                if (!lease.Lost)
                    LogTtrDeadline(job.Id, queue, job.Ttr);
            });
            using var handlerToken = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, giveUp.Token);
            using var handlerEnded = new CancellationTokenSource();
            Task keepingLeased = options.ExtendLeases
                ? KeepLeasedAsync(job, deadline, lease, handlerEnded.Token)
                : Task.CompletedTask;
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
            await handlerEnded.CancelAsync();
            await keepingLeased;

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
                await ReportAsync(job, success: false, FailureText.From(error), deadline.Token, RetryIn(job, error));
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

    /// <summary>Whether a touch found a job's lease gone: its handler's cancellation is then no TTR deadline.</summary>
    private sealed class LeaseState
    {
        public volatile bool Lost;
    }

    /// <summary>
    /// Touches the job until its handler ends, each time halfway to the handler's deadline
    /// (about half the TTR; always before the deadline, however small the TTR or large the
    /// margin), and moves the deadline on after each extension. A touch that fails on the way is tried again after
    /// <see cref="WorkqWorkerOptions.RetryDelay"/> while the deadline allows; one answered
    /// <c>-NOT-FOUND</c> (the job finished, was deleted, or its lease ran out and it went
    /// back to its queue) cancels the handler. Never throws.
    /// </summary>
    private async Task KeepLeasedAsync(LeasedJob job, CancellationTokenSource deadline, LeaseState lease, CancellationToken handlerEnded)
    {
        TimeSpan halfway = Deadline(job.Ttr) / 2;
        TimeSpan wait = halfway;
        while (await DelayAsync(wait, handlerEnded))
        {
            try
            {
                await client.TouchAsync(job.Id, ttr: null, handlerEnded);
                // The new lease runs from the server's answer, which has just arrived.
                deadline.CancelAfter(Deadline(job.Ttr));
                LogTouched(job.Id, queue, job.Ttr);
                wait = halfway;
            }
            catch (OperationCanceledException) when (handlerEnded.IsCancellationRequested)
            {
                return;
            }
            catch (WorkqNotFoundException)
            {
                lease.Lost = true;
                LogLeaseLost(job.Id, queue);
                await deadline.CancelAsync();
                return;
            }
            catch (ObjectDisposedException)
            {
                return; // the client is gone, and with it any way to reach the server
            }
            catch (Exception e)
            {
                LogTouchFailed(job.Id, queue, e.Message, options.RetryDelay);
                wait = options.RetryDelay;
            }
        }
    }

    /// <summary>
    /// The wait before the retry after the handler threw <paramref name="error"/>: the one a
    /// <see cref="WorkqRetryException"/> names, or for a retryable exception the worker's
    /// back-off doubled per fail the job had; null for any other exception.
    /// </summary>
    private TimeSpan? RetryIn(LeasedJob job, Exception error)
    {
        if (error is WorkqRetryException { RetryIn: { } named })
            return named;
        if (error is not WorkqRetryException && !options.RetryOn.Any(type => type.IsInstanceOfType(error)))
            return null;
        int doublings = Math.Min(job.Fails ?? 0, 30);
        TimeSpan backoff = Min(options.RetryBackoff * Math.Pow(2, doublings), WorkqWorkerServiceCollectionExtensions.MaxRetryIn);
        return Min(Jittered(backoff), WorkqWorkerServiceCollectionExtensions.MaxRetryIn);
    }

    /// <summary>
    /// Completes or fails the job. A lost connection is retried until the job's TTR
    /// deadline: by then the server is about to hand the job out again anyway. A second
    /// attempt may meet <c>Duplicate result</c> when the first did reach the server.
    /// </summary>
    private async Task ReportAsync(LeasedJob job, bool success, ReadOnlyMemory<byte> result, CancellationToken deadline, TimeSpan? retryIn = null)
    {
        string outcome = success ? "completed" : "failed";
        TimeSpan retryDelay = options.RetryDelay;
        while (true)
        {
            try
            {
                if (success)
                    await client.CompleteAsync(job.Id, result, giveUp.Token);
                else if (retryIn is { } wait)
                    await client.FailAsync(job.Id, result, wait, giveUp.Token);
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
