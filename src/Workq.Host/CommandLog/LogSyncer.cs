using Microsoft.Extensions.Logging;

namespace Workq.Host.CommandLog;

/// <summary>
/// The <c>interval</c> sync policy: forces what was appended to disk every interval, if
/// anything was (so also shortly after traffic stops). <c>always</c> syncs in the
/// engine's own append, and <c>os</c> leaves it to the kernel.
/// </summary>
internal sealed class LogSyncer : IAsyncDisposable
{
    private readonly SegmentWriter writer;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private long synced;
    private bool failing;

    public LogSyncer(SegmentWriter writer, CommandLogSettings settings, ILogger logger)
    {
        this.writer = writer;
        this.logger = logger;
        synced = writer.Written;
        loop = settings.Sync == SyncPolicy.Interval
            ? Task.Run(() => OnTimerAsync(settings.SyncInterval, stopping.Token))
            : Task.CompletedTask;
    }

    private async Task OnTimerAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(ct))
        {
            long target = writer.Written;
            if (target == synced)
                continue;
            try
            {
                writer.Sync();
                synced = target;
                if (failing)
                    logger.LogInformation("fsync of the command log succeeds again");
                failing = false;
            }
            catch (IOException e)
            {
                // Nothing waits on it; the next tick tries again.
                logger.LogError(e, "fsync of the command log failed; retrying");
                failing = true;
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
    }
}
