using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Workq.Bench;

/// <summary>
/// Replay mode: fill a server that logs (sync interval) with N live jobs, stop it with
/// SIGTERM, and time a fresh server's start on the same log directory.
/// </summary>
public static partial class ReplayRun
{
    const double Megabyte = 1024 * 1024;
    static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(120);
    static readonly TimeSpan SettleFor = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        var repo = o.FindRepoRoot();
        await ServerProcess.BuildWorkqAsync(repo, cancel);
        using var directory = LogDirectory.Create(o.LogParent, "replay");
        string[] args = ["--cmdlog-path", directory.Path, "--cmdlog-sync", "interval"];

        Console.Error.WriteLine($"log directory {directory.Path}; start-up on an empty log...");
        var (baseline, baselineRss) = await StartEmptyAsync(o, repo, cancel);

        Console.Error.WriteLine($"filling with {o.Jobs} jobs of {o.PayloadSize} bytes (P={o.Producers}, pipeline {o.Pipeline})...");
        var (fill, stopSeconds, exitCode) = await FillAndStopAsync(o, repo, args, cancel);
        var logBytes = directory.SizeBytes();
        var logFiles = directory.Files();
        Console.Error.WriteLine($"log: {logBytes / Megabyte:F1} MB in {logFiles.Count} files ({string.Join(", ", logFiles)})");

        Console.Error.WriteLine("replaying...");
        var server = ServerProcess.LaunchWorkq(repo, args);
        await using (server)
        {
            var replayed = await StartupProbe.WaitAsync(server, o.TimeCap, cancel);
            var rss = ProcStats.Rss(server.Pid);
            var peak = ProcStats.PeakRss(server.Pid);
            await Task.Delay(SettleFor, cancel);
            var settled = ProcStats.Rss(server.Pid);
            if (replayed.Jobs != o.Jobs)
                Console.Error.WriteLine($"warning: the replayed server holds {replayed.Jobs} jobs, not {o.Jobs}");
            var events = ReplayedEvents(server.RecentOutput);
            var replaySeconds = replayed.ReadySeconds - baseline.ReadySeconds;
            await server.StopGracefullyAsync(StopPatience, cancel);

            ReplayReport.Print(o, new ReplayMeasurement
            {
                Jobs = o.Jobs,
                PayloadSize = o.PayloadSize,
                FillSeconds = fill.Seconds,
                FillJobsPerSecond = fill.JobsPerSecond,
                FillRssMb = fill.RssAfterFillMb ?? 0,
                StopSeconds = stopSeconds,
                StopExitCode = exitCode,
                LogMb = logBytes / Megabyte,
                LogFiles = logFiles.Count,
                LogBytesPerJob = (double)logBytes / o.Jobs,
                Baseline = baseline,
                BaselineRssMb = baselineRss / Megabyte,
                Replayed = replayed,
                Events = events,
                ReplaySeconds = replaySeconds,
                EventsPerSecond = events is { } e && replaySeconds > 0 ? e / replaySeconds : null,
                RssAfterStartMb = rss / Megabyte,
                PeakRssMb = peak / Megabyte,
                RssSettledMb = settled / Megabyte,
                RssBytesPerJob = (double)(rss - baselineRss) / o.Jobs,
                PeakRssBytesPerJob = (double)(peak - baselineRss) / o.Jobs,
            });
        }
    }

    /// <summary>Start-up with nothing to replay, in a directory of its own, left empty again.</summary>
    static async Task<(Startup, long Rss)> StartEmptyAsync(Options o, string repo, CancellationToken cancel)
    {
        using var empty = LogDirectory.Create(o.LogParent, "empty");
        await using var server = ServerProcess.LaunchWorkq(repo, ["--cmdlog-path", empty.Path, "--cmdlog-sync", "interval"]);
        var startup = await StartupProbe.WaitAsync(server, o.TimeCap, cancel);
        var rss = ProcStats.Rss(server.Pid);
        await server.StopGracefullyAsync(StopPatience, cancel);
        return (startup, rss);
    }

    static async Task<(Measurement Fill, double StopSeconds, int ExitCode)> FillAndStopAsync(
        Options o, string repo, string[] args, CancellationToken cancel)
    {
        await using var server = await ServerProcess.StartWorkqAsync(repo, args, cancel);
        var fillOptions = o with { Mode = Mode.Fill, Warmup = 0 };
        var dialect = new WorkqDialect(o.Queue, o.PayloadSize, 0, o.LeaseWaitMs, WorkqDialect.DayTtl);
        // Every add is checked: any reply but +OK throws, and a run short of N fails here.
        var fill = await Workload.RunAsync(fillOptions, dialect, server.EndPoint, server.Pid, cancel);
        if (fill.Capped || fill.Jobs != o.Jobs)
            throw new InvalidOperationException($"the fill added {fill.Jobs} of {o.Jobs} jobs{(fill.Capped ? " before the time cap" : "")}");
        Console.Error.WriteLine($"filled in {fill.Seconds:F1} s ({fill.JobsPerSecond:F0} jobs/s), RSS {fill.RssAfterFillMb:F1} MB; stopping with SIGTERM...");
        var stopping = Stopwatch.GetTimestamp();
        var exitCode = await server.StopGracefullyAsync(StopPatience, cancel);
        return (fill, Stopwatch.GetElapsedTime(stopping).TotalSeconds, exitCode);
    }

    /// <summary>The count in the host's "Replayed N events from the command log" line.</summary>
    static long? ReplayedEvents(IReadOnlyList<string> output)
    {
        foreach (var line in output)
            if (ReplayedLine().Match(line) is { Success: true } m) return long.Parse(m.Groups[1].Value);
        return null;
    }

    [GeneratedRegex(@"Replayed (\d+) events")]
    private static partial Regex ReplayedLine();
}
