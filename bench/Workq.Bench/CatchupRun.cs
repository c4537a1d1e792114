using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workq.Bench;

/// <summary>
/// <c>catchup</c>: a three-member cluster on this machine that snapshots every 5 s into
/// small log files, so that its log is compacted behind the snapshots; N jobs are added
/// through the leader; then a follower is killed, its directory emptied, and it is started
/// again. It can only catch up by the leader's snapshot and then the log after it: the
/// time from its start until it has applied what the leader has committed, and what its
/// own log says of the snapshot (bytes, the time to receive them and make them durable,
/// the time to read the state).
/// </summary>
public static partial class CatchupRun
{
    static readonly TimeSpan CleanInterval = TimeSpan.FromSeconds(5);
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        var repo = o.FindRepoRoot();
        await ServerProcess.BuildWorkqAsync(repo, cancel);
        string[] args =
        [
            "--cluster-election-timeout", o.ElectionTimeout,
            "--cmdlog-clean-int", ((long)CleanInterval.TotalMilliseconds).ToString(),
            "--cmdlog-seg-size", (4 << 20).ToString(),
        ];
        await using var cluster = await LocalCluster.StartAsync(o, repo, 3, args, cancel, http: true);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var leader = await cluster.LeaderAsync(TimeSpan.FromSeconds(60), cancel);

        var dialect = new WorkqDialect(o.Queue, o.PayloadSize, 0, o.LeaseWaitMs, WorkqDialect.DayTtl);
        var fill = await Workload.RunAsync(o with { Mode = Mode.Fill, Warmup = 0 }, dialect, leader.Client, leader.Process!.Pid, cancel);
        if (fill.Capped || fill.Jobs != o.Jobs)
            throw new InvalidOperationException($"the fill added {fill.Jobs} of {o.Jobs} jobs");
        // The last snapshot taken while the adds came, and the log compacted up to it.
        await Task.Delay(CleanInterval + TimeSpan.FromSeconds(2), cancel);

        var follower = cluster.Members.First(m => m != leader);
        await cluster.KillAsync(follower);
        follower.Directory.Empty();
        var started = Stopwatch.GetTimestamp();
        await cluster.StartAsync(follower, cancel);
        long applied = 0, committed = 0;
        while (Stopwatch.GetElapsedTime(started) < Patience)
        {
            committed = await MetricAsync(http, leader, "workq_cluster_commit_index", cancel);
            applied = await MetricAsync(http, follower, "workq_cluster_applied_index", cancel);
            if (applied >= committed)
                break;
            await Task.Delay(50, cancel);
        }
        var caughtUp = applied >= committed ? Stopwatch.GetElapsedTime(started) : (TimeSpan?)null;
        var installed = follower.Process!.RecentOutput.Select(line => Installed().Match(line)).LastOrDefault(m => m.Success);
        Print(o, fill.JobsPerSecond, caughtUp, applied, committed, installed);
        if (caughtUp is null)
        {
            Console.WriteLine("  the follower's last lines:");
            foreach (var line in follower.Process.RecentOutput.TakeLast(5))
                Console.WriteLine("    " + line);
        }
    }

    /// <summary>A gauge's value from <paramref name="member"/>'s <c>/metrics</c>; 0 while it does not answer (within 10 s).</summary>
    static async Task<long> MetricAsync(HttpClient http, LocalCluster.Member member, string name, CancellationToken cancel)
    {
        string text;
        try
        {
            text = await http.GetStringAsync($"http://{member.Http}/metrics", cancel);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
        {
            return 0;
        }
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
                return (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"{member.Http}/metrics has no {name}");
    }

    [GeneratedRegex(@"Installed the leader's snapshot at index (?<index>\d+): (?<jobs>\d+) jobs, (?<bytes>\d+) bytes received and made durable in (?<receiving>\d+) ms, read in (?<reading>\d+) ms")]
    private static partial Regex Installed();

    static void Print(Options o, double fillJobsPerSecond, TimeSpan? caughtUp, long applied, long committed, Match? installed)
    {
        long Group(string name) => installed is { } m ? long.Parse(m.Groups[name].Value) : 0;
        Console.WriteLine($"workq 3-member cluster, a follower wiped and started again after {o.Jobs} jobs of {o.PayloadSize} bytes (added at {fillJobsPerSecond:F0}/s), election timeout {o.ElectionTimeout} ms");
        if (installed is not null)
            Console.WriteLine($"  the leader's snapshot at index {Group("index")}: {Group("jobs")} jobs, {Group("bytes") / 1e6:F1} MB, received and made durable in {Group("receiving")} ms, read in {Group("reading")} ms");
        else
            Console.WriteLine("  no snapshot installed (its log says nothing of one)");
        Console.WriteLine(caughtUp is { } t
            ? $"  caught up with the leader (index {committed}) {t.TotalSeconds:F1} s after it was started"
            : $"  not caught up {Patience.TotalSeconds:F0} s after it was started: applied {applied} of {committed}");
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(new
        {
            settings = new { jobs = o.Jobs, payload = o.PayloadSize, producers = o.Producers, electionTimeout = o.ElectionTimeout },
            snapshot = installed is null ? null : new
            {
                index = Group("index"),
                jobs = Group("jobs"),
                bytes = Group("bytes"),
                receivedMs = Group("receiving"),
                readMs = Group("reading"),
            },
            caughtUpSeconds = caughtUp?.TotalSeconds,
            applied,
            committed,
        }, Report.Json));
    }
}
