using System.Text.Json;

namespace Workq.Bench;

/// <summary>
/// Startup mode: times fresh server processes from exec to the first accepted connection
/// and to the first reply, <c>--runs</c> times each: in memory, on an empty command log,
/// and on a log of N live jobs (filled once, by the same server program).
/// </summary>
public static class StartupRun
{
    static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(1);
    static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(120);

    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        var repo = o.FindRepoRoot();
        var exe = o.ServerExe ?? await BuiltServerAsync(repo, cancel);
        Console.Error.WriteLine($"server {exe}; {o.Runs} starts of each kind");

        Console.Error.WriteLine("in memory...");
        var memory = await StartsAsync(o, exe, () => null, [], cancel);

        Console.Error.WriteLine("on an empty command log...");
        var empty = await StartsAsync(o, exe, () => LogDirectory.Create(o.LogParent, "startup-empty"), [], cancel);

        using var filled = LogDirectory.Create(o.LogParent, "startup-filled");
        string[] logArgs = ["--cmdlog-path", filled.Path];
        Console.Error.WriteLine($"filling a command log with {o.Jobs} jobs of {o.PayloadSize} bytes...");
        await FillAsync(o, exe, logArgs, cancel);
        Console.Error.WriteLine($"on that log ({filled.SizeBytes() / (1024.0 * 1024.0):F1} MB)...");
        var replayed = await StartsAsync(o, exe, () => null, logArgs, cancel);
        var short_ = replayed.FirstOrDefault(s => s.Jobs != o.Jobs);
        if (short_ is not null)
            throw new InvalidOperationException($"a server started on the filled log holds {short_.Jobs} jobs, not {o.Jobs}");

        Print(o, exe, memory, empty, replayed);
    }

    /// <summary>The JIT build's program, built as the other modes build it.</summary>
    static async Task<string> BuiltServerAsync(string repo, CancellationToken cancel)
    {
        await ServerProcess.BuildWorkqAsync(repo, cancel);
        return ServerProcess.WorkqExe(repo);
    }

    /// <summary>
    /// <paramref name="o"/>.Runs starts, one after another, each killed once it has answered;
    /// <paramref name="freshLog"/> gives a command log directory of its own to each start.
    /// </summary>
    static async Task<List<Startup>> StartsAsync(
        Options o, string exe, Func<LogDirectory?> freshLog, string[] args, CancellationToken cancel)
    {
        var starts = new List<Startup>();
        for (var run = 0; run < o.Runs; run++)
        {
            using var log = freshLog();
            string[] runArgs = log is null ? args : [.. args, "--cmdlog-path", log.Path];
            var server = ServerProcess.Launch(exe, runArgs);
            await using (server)
                starts.Add(await StartupProbe.WaitAsync(server, o.TimeCap, PollEvery, cancel));
        }
        return starts;
    }

    static async Task FillAsync(Options o, string exe, string[] args, CancellationToken cancel)
    {
        await using var server = await ServerProcess.StartAsync(exe, args, cancel);
        var dialect = new WorkqDialect(o.Queue, o.PayloadSize, 0, o.LeaseWaitMs, WorkqDialect.DayTtl);
        // Every add is checked: any reply but +OK throws, and a run short of N fails here.
        var fill = await Workload.RunAsync(o with { Mode = Mode.Fill, Warmup = 0 }, dialect, server.EndPoint, server.Pid, cancel);
        if (fill.Capped || fill.Jobs != o.Jobs)
            throw new InvalidOperationException($"the fill added {fill.Jobs} of {o.Jobs} jobs");
        await server.StopGracefullyAsync(StopPatience, cancel);
    }

    static void Print(Options o, string exe, List<Startup> memory, List<Startup> empty, List<Startup> replayed)
    {
        Console.WriteLine($"workq start-up: {exe}; median (min-max) of {o.Runs} starts, ms from exec; load average {LoadAverage()}");
        Console.WriteLine($"  {"",-30} {"TCP connect",-24} {"first reply",-24} {"CPU at connect",-24}");
        Row("in memory", memory);
        Row("empty command log", empty);
        Row($"log of {o.Jobs} jobs ({o.PayloadSize} B)", replayed);
        var json = new
        {
            settings = new { server = exe, runs = o.Runs, jobs = o.Jobs, payload = o.PayloadSize, processors = Environment.ProcessorCount },
            result = new { memory = Summary(memory), emptyLog = Summary(empty), filledLog = Summary(replayed) },
            runs = new { memory, emptyLog = empty, filledLog = replayed },
        };
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(json, Report.Json));
    }

    static void Row(string name, List<Startup> starts)
    {
        static string Cell(IEnumerable<double> seconds)
        {
            var ms = seconds.Select(s => s * 1000).Order().ToArray();
            return $"{Median(ms),7:F1} ({ms[0]:F1}-{ms[^1]:F1})";
        }
        Console.WriteLine(
            $"  {name,-30} {Cell(starts.Select(s => s.ConnectSeconds)),-24} {Cell(starts.Select(s => s.ReadySeconds)),-24} {Cell(starts.Select(s => s.ConnectCpuSeconds)),-24}");
    }

    static object Summary(List<Startup> starts) => new
    {
        connectMsMedian = Median([.. starts.Select(s => s.ConnectSeconds * 1000).Order()]),
        readyMsMedian = Median([.. starts.Select(s => s.ReadySeconds * 1000).Order()]),
        connectCpuMsMedian = Median([.. starts.Select(s => s.ConnectCpuSeconds * 1000).Order()]),
    };

    /// <summary>The machine's 1-minute load average: start-up times depend on what else runs.</summary>
    static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
