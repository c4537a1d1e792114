using Microsoft.Extensions.Logging;

namespace Workq.Host.CommandLog;

/// <summary>
/// Forces appended records to disk as the sync policy says. With <c>always</c> the engine
/// asks after each batch and holds the batch's replies until <see cref="Synced"/> passes
/// it; whatever was appended while one fsync ran is covered by the next, so concurrent
/// commands share it (group commit).
/// </summary>
internal sealed class LogSyncer : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMilliseconds(200);

    private readonly SegmentWriter writer;
    private readonly Action onSynced;
    private readonly ILogger logger;
    private readonly SemaphoreSlim asked = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private long synced;

    public LogSyncer(SegmentWriter writer, CommandLogSettings settings, Action onSynced, ILogger logger)
    {
        this.writer = writer;
        this.onSynced = onSynced;
        this.logger = logger;
        synced = writer.Written;
        loop = settings.Sync switch
        {
            SyncPolicy.Always => Task.Run(() => OnRequestAsync(stopping.Token)),
            SyncPolicy.Interval => Task.Run(() => OnTimerAsync(settings.SyncInterval, stopping.Token)),
            _ => Task.CompletedTask,
        };
    }

    /// <summary>How far the log is known to be on disk, as a <see cref="SegmentWriter.Written"/> position.</summary>
    public long Synced => Volatile.Read(ref synced);

    /// <summary>Asks for an fsync of everything appended so far.</summary>
    public void Request() => asked.Release();

    private async Task OnRequestAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await asked.WaitAsync(ct);
            // Requests that came in meanwhile are served by this one fsync.
            while (asked.CurrentCount > 0)
                await asked.WaitAsync(ct);
            await SyncAsync(ct);
        }
    }

    private async Task OnTimerAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(ct))
            await SyncAsync(ct);
    }

    private async Task SyncAsync(CancellationToken ct)
    {
        while (true)
        {
            long target = writer.Written;
            if (target <= Synced)
                return;
            try
            {
                writer.Sync();
                Volatile.Write(ref synced, target);
                onSynced();
                return;
            }
            catch (IOException e)
            {
                // Replies held for this sync wait: nothing is acknowledged that is not on disk.
                logger.LogError(e, "fsync of the command log failed; retrying");
                await Task.Delay(RetryAfterFailure, ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }
        stopping.Dispose();
        asked.Dispose();
    }
}
