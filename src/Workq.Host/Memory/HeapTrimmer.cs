using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workq.Host.Engine;

namespace Workq.Host.Memory;

/// <summary>
/// Gives memory back after a burst. The collector returns freed memory to the system only
/// as it collects, and an idle server does not collect: after a flood of jobs that then
/// expired it stayed at its peak (measured: 2.5 GB resident with no job left, a minute
/// later). So once the server has been quiet a while and holds much more than its jobs
/// explain, one aggressive, compacting full collection gives the rest back. It pauses
/// the server, which is why it waits for quiet, and is worth it only when little is live.
/// </summary>
internal sealed class HeapTrimmer(ServerAccounting accounting, ILogger<HeapTrimmer> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    // Quiet: less than this allocated per period, for this long.
    private const long QuietBytesPerPeriod = 8L * 1024 * 1024;
    private static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(5);

    // What a job costs beyond its payload and result (the README's figures: about 450
    // bytes resident per queued job), and what the server needs with none.
    private const long BytesPerJob = 512;
    private const long Baseline = 128L * 1024 * 1024;
    private const double Slack = 1.25;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        long allocated = GC.GetTotalAllocatedBytes();
        DateTime quietSince = DateTime.UtcNow;
        bool trimmed = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                long now = GC.GetTotalAllocatedBytes();
                bool quiet = now - allocated < QuietBytesPerPeriod;
                allocated = now;
                if (!quiet)
                {
                    quietSince = DateTime.UtcNow;
                    trimmed = false;
                    continue;
                }
                if (trimmed || DateTime.UtcNow - quietSince < QuietFor)
                    continue;
                // Once per quiet spell: whatever it gives back, the next chance is after traffic.
                trimmed = true;
                long live = accounting.StoredBytes + BytesPerJob * accounting.Jobs;
                long resident = Environment.WorkingSet;
                if (resident <= Slack * live + Baseline)
                    continue;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                logger.LogInformation(
                    "Quiet after a burst: gave memory back, resident {Before} MB before, {After} MB after",
                    resident >> 20, Environment.WorkingSet >> 20);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
