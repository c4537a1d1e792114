namespace Workq.Bench;

/// <summary>One measurement: of the server at --addr, or of a fresh one.</summary>
public static class SingleRun
{
    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        if (o.Address is { } address)
        {
            Report.PrintSingle(o, await Workload.WarmThenRunAsync(o, o.Target, address, o.Pid, cancel));
            return;
        }
        if (o.Target == Target.Workq && o.ServerExe is null) await ServerProcess.BuildWorkqAsync(o.FindRepoRoot(), cancel);
        await using var server = await Fresh.StartAsync(o, o.Target, cancel);
        Report.PrintSingle(o, await Workload.WarmThenRunAsync(o, o.Target, server.EndPoint, server.Pid, cancel));
    }
}
