namespace Workq.Bench;

/// <summary>
/// <c>--vs cluster</c>: one Workq with its command log synced <c>interval</c>, one synced
/// <c>always</c>, and a three-member cluster on this machine take turns, each fresh, with
/// the same workload. The cluster's load goes to its leader's client port (a follower
/// would relay it there); its CPU figure is the leader's alone.
/// </summary>
public static class ClusterComparison
{
    const double Megabyte = 1024 * 1024;

    static readonly string[] Variants = ["interval", "always", "cluster"];

    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        var repo = o.FindRepoRoot();
        await ServerProcess.BuildWorkqAsync(repo, cancel);
        var results = Variants.ToDictionary(v => v, _ => new List<Measurement>());
        for (var run = 1; run <= o.Runs; run++)
        {
            foreach (var variant in Variants)
            {
                var m = variant == "cluster"
                    ? await RunClusterAsync(o, repo, cancel)
                    : await RunSingleAsync(o, repo, variant, cancel);
                Console.Error.WriteLine($"run {run}/{o.Runs} {variant}: {m.JobsPerSecond:F0} jobs/s{(m.Capped ? " (capped)" : "")}");
                results[variant].Add(m);
            }
        }
        VariantReport.Print(o, "workq 3-member cluster vs one server with its command log", Variants, "interval", results);
    }

    static async Task<Measurement> RunSingleAsync(Options o, string repo, string sync, CancellationToken cancel)
    {
        using var directory = LogDirectory.Create(o.LogParent, sync);
        Measurement m;
        await using (var server = await ServerProcess.StartWorkqAsync(repo, ["--cmdlog-path", directory.Path, "--cmdlog-sync", sync], cancel))
        {
            m = await Workload.WarmThenRunAsync(o, Target.Workq, server.EndPoint, server.Pid, cancel);
            m = m with { LogMb = directory.SizeBytes() / Megabyte };
        }
        return m with { Server = $"workq {sync}" };
    }

    static async Task<Measurement> RunClusterAsync(Options o, string repo, CancellationToken cancel)
    {
        Measurement m;
        await using (var cluster = await LocalCluster.StartAsync(o, repo, 3, ["--cluster-election-timeout", o.ElectionTimeout], cancel))
        {
            var leader = await cluster.LeaderAsync(TimeSpan.FromSeconds(60), cancel);
            m = await Workload.WarmThenRunAsync(o, Target.Workq, leader.Client, leader.Process!.Pid, cancel);
            m = m with { LogMb = leader.Directory.SizeBytes() / Megabyte };
        }
        return m with { Server = "workq cluster" };
    }
}
