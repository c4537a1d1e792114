namespace Workq.Bench;

/// <summary>
/// <c>--vs cmdlog</c>: Workq in memory and with its command log synced <c>os</c>,
/// <c>interval</c> and <c>always</c> take turns, each on a fresh server with a fresh log
/// directory, so drift in the machine's load falls on all alike.
/// </summary>
public static class CmdlogComparison
{
    const double Megabyte = 1024 * 1024;

    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        var repo = o.FindRepoRoot();
        await ServerProcess.BuildWorkqAsync(repo, cancel);
        var results = LogVariant.All.ToDictionary(v => v, _ => new List<Measurement>());
        for (var run = 1; run <= o.Runs; run++)
        {
            foreach (var variant in LogVariant.All)
            {
                var m = await RunOnceAsync(o, repo, variant, cancel);
                Console.Error.WriteLine($"run {run}/{o.Runs} {variant.Name}: {m.JobsPerSecond:F0} jobs/s{(m.Capped ? " (capped)" : "")}");
                results[variant].Add(m);
            }
        }
        VariantReport.Print(
            o, "workq command log vs in memory", [.. LogVariant.All.Select(v => v.Name)], "mem",
            results.ToDictionary(r => r.Key.Name, r => r.Value));
    }

    static async Task<Measurement> RunOnceAsync(Options o, string repo, LogVariant variant, CancellationToken cancel)
    {
        using var directory = variant.Sync is null ? null : LogDirectory.Create(o.LogParent, variant.Name);
        Measurement m;
        // The server goes before its directory does.
        await using (var server = await ServerProcess.StartWorkqAsync(repo, variant.HostArgs(directory), cancel))
        {
            m = await Workload.WarmThenRunAsync(o, Target.Workq, server.EndPoint, server.Pid, cancel);
            if (directory is not null) m = m with { LogMb = directory.SizeBytes() / Megabyte };
        }
        return m with { Server = $"workq {variant.Name}" };
    }
}
