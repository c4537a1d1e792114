using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workq.Host.Engine;

namespace Workq.Host.Memory;

/// <summary>
/// Gives memory back after a burst. The collector returns freed memory to the system only
/// as it collects, and an idle server does not collect: after a flood of jobs that then
/// expired it stayed at its peak (measured: 2.5 GB resident with no job left, a minute
/// later, without this; 60 MB with it), and so after 300 connections holding 1 MiB
/// requests had timed out (365 MB without; 86 MB with). So once the server has been quiet a while and holds much more
/// than its jobs and its connections' buffers explain, one aggressive, compacting full
/// collection gives the rest back. It pauses the server, which is why it waits for quiet,
/// and is worth it only when little is live.
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

    // After a trim, the next waits for traffic in between, for this much less to be live
    // (jobs expiring, connections closing), or this long.
    private static readonly TimeSpan TrimAgainAfter = TimeSpan.FromSeconds(60);
    private const long TrimAgainWhenFreed = 64L * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        long allocated = GC.GetTotalAllocatedBytes();
        DateTime quietSince = DateTime.UtcNow;
        DateTime lastTrim = DateTime.MinValue;
        long liveAtTrim = 0;
        bool trafficSinceTrim = true;
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
                    trafficSinceTrim = true;
                    continue;
                }
                if (DateTime.UtcNow - quietSince < QuietFor)
                    continue;
                // What the jobs and the connections' buffers explain; memory freed while
                // quiet (jobs expiring, connections closing) shows up here too.
                long live = accounting.StoredBytes + BytesPerJob * accounting.Jobs + accounting.ConnectionBytes().Total;
                bool again = trafficSinceTrim || DateTime.UtcNow - lastTrim >= TrimAgainAfter || live <= liveAtTrim - TrimAgainWhenFreed;
                long resident = Environment.WorkingSet;
                if (!again || resident <= Slack * live + Baseline)
                    continue;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                lastTrim = DateTime.UtcNow;
                liveAtTrim = live;
                trafficSinceTrim = false;
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
