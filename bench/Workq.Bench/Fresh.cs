namespace Workq.Bench;

/// <summary>Starts a fresh server of a kind (Workq's host already built).</summary>
public static class Fresh
{
    public static Task<ServerProcess> StartAsync(Options o, Target target, CancellationToken cancel) => target switch
    {
        Target.Workq when o.ScrapeMetrics => ServerProcess.StartWorkqScrapedAsync(o.FindRepoRoot(), [], cancel),
        Target.Workq => ServerProcess.StartWorkqAsync(o.FindRepoRoot(), [], cancel),
        _ => ServerProcess.StartBeanstalkdAsync(o.Beanstalkd, cancel),
    };
}
