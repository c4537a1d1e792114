using System.Net;

namespace Workq.Bench;

public enum Mode { Queue, Run, Fill, Replay, Hostile, Failover, Catchup, Startup }

/// <summary>A server the tool measures: Workq, beanstalkd, or the original Go Workq 0.2.0 it reimplements.</summary>
public enum Target { Workq, Beanstalkd, Original }

/// <summary>What <c>--vs</c> compares Workq with: nothing, beanstalkd, the original Go Workq, its own command log, or a cluster of it.</summary>
public enum Versus { None, Beanstalkd, Original, Cmdlog, Cluster }

/// <summary>The job ids the load generator makes: time-ordered (UUIDv7, the .NET client's) or random (v4, the Go client's).</summary>
public enum IdKind { V7, V4 }

/// <summary>The command line, parsed.</summary>
public sealed record Options
{
    public Mode Mode { get; init; } = Mode.Queue;
    public Target Target { get; init; } = Target.Workq;
    public IPEndPoint? Address { get; init; }
    public int? Pid { get; init; }
    public Versus Versus { get; init; }
    /// <summary>Where fresh command-log directories are made (default: the system's temp directory).</summary>
    public string? LogParent { get; init; }
    public int Runs { get; init; } = 3;
    public long Jobs { get; init; } = 200_000;
    public long Warmup { get; init; }
    public int Producers { get; init; } = 4;
    public int Workers { get; init; } = 4;
    public int PayloadSize { get; init; } = 64;
    public int Pipeline { get; init; } = 1;
    public TimeSpan TimeCap { get; init; } = TimeSpan.FromSeconds(300);
    public int LeaseWaitMs { get; init; } = 5000;
    public string Queue { get; init; } = "bench";
    public string Beanstalkd { get; init; } = "beanstalkd";
    /// <summary>The original Go Workq's server program, as bench/original/build.sh builds it.</summary>
    public string Original { get; init; } = "workq-original";
    /// <summary>Job ids: version 7 unless told, or unless the original is measured (it takes version 4 only).</summary>
    public IdKind? Ids { get; init; }
    public IdKind IdsFor => Ids ?? (Target == Target.Original || Versus == Versus.Original ? IdKind.V4 : IdKind.V7);
    public string? RepoRoot { get; init; }
    /// <summary>hostile: the patterns to run (all by default).</summary>
    public IReadOnlyList<string>? HostilePatterns { get; init; }
    public int? HostileConnections { get; init; }
    public int? HostileSeconds { get; init; }
    /// <summary>hostile: flags and environment variables for the servers it starts.</summary>
    public IReadOnlyList<string> ServerArgs { get; init; } = [];
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();
    /// <summary>The Workq program startup, queue, run and fill start (default: the JIT build).</summary>
    public string? ServerExe { get; init; }
    /// <summary>Start Workq with its HTTP side on and scrape its /metrics every second.</summary>
    public bool ScrapeMetrics { get; init; }

    /// <summary>Start Workq with its HTTP side on and poll its dashboard's API as an open page does.</summary>
    public bool Dashboard { get; init; }
    /// <summary>How many times <c>failover</c> kills (or pauses) the leader.</summary>
    public int Kills { get; init; } = 20;
    /// <summary><c>failover</c>: pause the leader (SIGSTOP, then SIGCONT) rather than kill it.</summary>
    public bool Pause { get; init; }
    /// <summary>The cluster members' <c>--cluster-election-timeout</c>.</summary>
    public string ElectionTimeout { get; init; } = "300-600";

    public const string Usage = """
        usage: workq-bench [queue|run|fill|replay|hostile|failover|catchup|startup] [options]

          queue   P producers add jobs while W workers lease and complete them, until N are complete
          run     P clients issue synchronous runs while W workers serve them (Workq and the
                  original; beanstalkd has no run)
          fill    P producers add N jobs; then the server's resident memory is reported
          replay  fill a server that has a command log (sync interval) with N live jobs, stop
                  it, and time a fresh server's replay of the log and measure its memory
                  (defaults here: -n 1000000 --payload 100 --pipeline 64)
          hostile what careless or hostile clients can take: each pattern against a fresh
                  server, its peak RSS growth against the server's bound (bench/README.md)
          failover  start a 3-member cluster, P producers add through every member, and kill
                    (or --pause) its leader --kills times (starting or resuming it each time):
                    the time from each signal to the first acknowledged add, and the
                    acknowledged adds lost
          catchup   start a 3-member cluster that snapshots every 5 s, add N jobs, then wipe a
                    follower and start it again: how long it takes to catch up by the leader's
                    snapshot and log (defaults here: --payload 100 -p 16)
          startup time --runs fresh server processes from exec to the first connection and to
                  the first reply: in memory, on an empty command log, and on a log of N jobs
                  (defaults here: --runs 10 -n 100000 --payload 100 --pipeline 64)

          --pattern NAME             hostile: run this pattern only (repeatable): slow-senders,
                                     drip, no-read, unfinished, flood, history
          --connections N            hostile: connections of slow-senders, unfinished, flood
          --seconds S                hostile: how long slow-senders, no-read and flood run
          --server-arg ARG           hostile, queue, run, fill: a flag for the Workq servers it
                                     starts (repeatable)
          --server-env NAME=VALUE    the same: an environment variable for them (repeatable)

          --target workq|beanstalkd|original  which server and protocol (default workq)
          --addr HOST:PORT           measure a running server instead of starting a fresh one
          --pid PID                  that server's process, for CPU and memory figures
          --vs beanstalkd            run Workq and beanstalkd alternately, --runs times each,
                                     and print medians and the Workq/beanstalkd ratios
          --vs original              the same with the original Go Workq 0.2.0 (queue, run, fill)
          --vs cmdlog                run Workq in memory and with --cmdlog-sync os, interval and
                                     always alternately, --runs times each, and print medians
                                     and the ratios to in memory
          --vs cluster               run Workq with --cmdlog-sync interval, with always, and a
                                     3-member cluster on this machine alternately, --runs times
                                     each, and print medians and the ratios to interval
          --runs K                   runs per server with --vs (default 3)
          --kills N                  failover: how many times the leader is killed (default 20)
          --pause                    failover: pause the leader (SIGSTOP) rather than kill it; it is
                                     resumed (SIGCONT) once a new leader has acknowledged an add
          --election-timeout LOW-HIGH  the cluster members' election timeout in ms (default 300-600)
          --server PATH              the Workq program startup, queue, run and fill start (default:
                                     the JIT build, src/Workq.Host/bin/Release/net10.0/workq-server;
                                     a Native AOT publish: deploy/publish.sh DIR, then DIR/workq-server)
          --log-dir DIR              where --vs cmdlog, --vs cluster, replay and failover make their fresh directories
                                     (default: the system's temp directory); removed afterwards
          -n, --jobs N               jobs (default 200000)
          -p, --producers P          producer (or run client) connections (default 4)
          -w, --workers W            worker connections (default 4)
          --warmup N                 first run N jobs unmeasured on the same server, so JIT
                                     tiering and first allocations stay out of the figures
          --payload BYTES            payload size (default 64)
          --pipeline DEPTH           requests in flight per connection (default 1: strict)
          --time-cap SECONDS         stop a run after this long (default 300)
          --lease-wait MS            how long a lease or reserve waits for a job (default 5000)
          --queue NAME               Workq queue name (default bench)
          --beanstalkd PATH          the beanstalkd program (default beanstalkd, on PATH)
          --original PATH            the original Go Workq's workq-server, as bench/original/build.sh
                                     builds it (default workq-original, on PATH)
          --ids v7|v4                job ids: time-ordered version 7 (the .NET client's; the
                                     default) or random version 4 (the Go client's; the only
                                     kind the original takes, so the default with it)
          --repo DIR                 the Workq checkout to build the host from (default: found
                                     upwards from the current directory)
          --scrape-metrics           start Workq with its HTTP side on a port of its own and GET
                                     its /metrics every second while it is measured
          --dashboard                start Workq with its HTTP side on a port of its own and GET
                                     what an open dashboard polls (overview, queues table, the
                                     queue's page) every two seconds while it is measured
        """;

    public static Options Parse(string[] args)
    {
        var options = new Options();
        // What the command line set, so a mode's own defaults apply only to the rest.
        var given = new HashSet<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            given.Add(arg);
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int Positive() => int.TryParse(Value(), out var v) && v > 0 ? v : throw new ArgumentException($"{arg} needs a positive number");
            options = arg switch
            {
                "queue" => options with { Mode = Mode.Queue },
                "run" => options with { Mode = Mode.Run },
                "fill" => options with { Mode = Mode.Fill },
                "replay" => options with { Mode = Mode.Replay },
                "failover" => options with { Mode = Mode.Failover },
                "catchup" => options with { Mode = Mode.Catchup },
                "--kills" => options with { Kills = Positive() },
                "--pause" => options with { Pause = true },
                "--election-timeout" => options with { ElectionTimeout = Value() },
                "hostile" => options with { Mode = Mode.Hostile },
                "--pattern" => options with { HostilePatterns = [.. options.HostilePatterns ?? [], Value()] },
                "--connections" => options with { HostileConnections = Positive() },
                "--seconds" => options with { HostileSeconds = Positive() },
                "--server-arg" => options with { ServerArgs = [.. options.ServerArgs, Value()] },
                "--server-env" => options with { ServerEnvironment = WithVariable(options.ServerEnvironment, Value()) },
                "startup" => options with { Mode = Mode.Startup },
                "--server" => options with { ServerExe = Path.GetFullPath(Value()) },
                "--target" => options with { Target = ParseTarget(Value()) },
                "--addr" => options with { Address = IPEndPoint.TryParse(Value(), out var ep) ? ep : throw new ArgumentException("--addr needs HOST:PORT (an IP address)") },
                "--pid" => options with { Pid = Positive() },
                "--vs" => options with { Versus = ParseVersus(Value()) },
                "--log-dir" => options with { LogParent = Value() },
                "--runs" => options with { Runs = Positive() },
                "-n" or "--jobs" => options with { Jobs = Positive() },
                "--warmup" => options with { Warmup = Positive() },
                "-p" or "--producers" => options with { Producers = Positive() },
                "-w" or "--workers" => options with { Workers = Positive() },
                "--payload" => options with { PayloadSize = int.TryParse(Value(), out var s) && s is >= 0 and <= 1_048_576 ? s : throw new ArgumentException("--payload needs 0..1048576") },
                "--pipeline" => options with { Pipeline = Positive() },
                "--time-cap" => options with { TimeCap = TimeSpan.FromSeconds(Positive()) },
                "--lease-wait" => options with { LeaseWaitMs = Positive() },
                "--queue" => options with { Queue = Value() },
                "--beanstalkd" => options with { Beanstalkd = Value() },
                "--original" => options with { Original = Value() },
                "--ids" => options with { Ids = Value() switch
                {
                    "v7" => IdKind.V7,
                    "v4" => IdKind.V4,
                    var other => throw new ArgumentException($"--ids takes v7 or v4, not {other}"),
                } },
                "--repo" => options with { RepoRoot = Value() },
                "--scrape-metrics" => options with { ScrapeMetrics = true },
                "--dashboard" => options with { Dashboard = true },
                _ => throw new ArgumentException($"unknown argument {arg}"),
            };
        }
        if (options.Mode == Mode.Run && (options.Target == Target.Beanstalkd || options.Versus == Versus.Beanstalkd))
            throw new ArgumentException("run mode is for Workq and the original: beanstalkd has no run command");
        if (options.Versus != Versus.None && options.Address is not null)
            throw new ArgumentException("--vs starts its own servers: drop --addr");
        if (options.Ids == IdKind.V7 && (options.Target == Target.Original || options.Versus == Versus.Original))
            throw new ArgumentException("the original takes version-4 ids only: drop --ids v7");
        if (options.Versus is Versus.Beanstalkd or Versus.Original && options.Target != Target.Workq)
            throw new ArgumentException("--vs beanstalkd and --vs original compare Workq with that server: drop --target");
        if (options.Mode == Mode.Hostile && (options.Address is not null || options.Target != Target.Workq || options.Versus != Versus.None))
            throw new ArgumentException("hostile starts its own Workq servers: drop --addr, --target and --vs");
        if ((options.ScrapeMetrics || options.Dashboard) && (options.Address is not null || options.Target != Target.Workq || options.Mode == Mode.Replay || options.Versus is Versus.Cmdlog or Versus.Cluster))
            throw new ArgumentException("--scrape-metrics and --dashboard apply to the Workq servers of queue, run and fill, with or without --vs beanstalkd or original");
        if (options.Versus is Versus.Cmdlog or Versus.Cluster && options.Target != Target.Workq)
            throw new ArgumentException("--vs cmdlog and --vs cluster compare Workq with itself: drop --target");
        if (options.Mode == Mode.Failover && (options.Address is not null || options.Target != Target.Workq || options.Versus != Versus.None || options.ScrapeMetrics || options.Dashboard))
            throw new ArgumentException("failover starts its own cluster: drop --addr, --target, --vs, --scrape-metrics and --dashboard");
        if (options.Pause && options.Mode != Mode.Failover)
            throw new ArgumentException("--pause applies to failover only");
        if (options.Mode == Mode.Catchup)
        {
            if (options.Address is not null || options.Target != Target.Workq || options.Versus != Versus.None || options.ScrapeMetrics || options.Dashboard)
                throw new ArgumentException("catchup starts its own cluster: drop --addr, --target, --vs, --scrape-metrics and --dashboard");
            options = options with
            {
                PayloadSize = given.Contains("--payload") ? options.PayloadSize : 100,
                Producers = given.Contains("-p") || given.Contains("--producers") ? options.Producers : 16,
            };
        }
        if (options.Mode == Mode.Startup)
        {
            if (options.Address is not null || options.Target != Target.Workq || options.Versus != Versus.None)
                throw new ArgumentException("startup starts its own Workq servers: drop --addr, --target and --vs");
            options = options with
            {
                Runs = given.Contains("--runs") ? options.Runs : 10,
                Jobs = given.Contains("-n") || given.Contains("--jobs") ? options.Jobs : 100_000,
                PayloadSize = given.Contains("--payload") ? options.PayloadSize : 100,
                Pipeline = given.Contains("--pipeline") ? options.Pipeline : 64,
            };
        }
        else if ((options.ServerExe is not null || options.ServerArgs.Count > 0 || options.ServerEnvironment.Count > 0)
                 && (options.Mode is not (Mode.Queue or Mode.Run or Mode.Fill or Mode.Hostile) || options.Address is not null || options.Target != Target.Workq
                     || options.Versus is Versus.Cmdlog or Versus.Cluster || (options.Mode == Mode.Hostile && options.ServerExe is not null)))
            throw new ArgumentException("--server is for the Workq servers of startup, queue, run and fill (alone or --vs beanstalkd or original); --server-arg and --server-env for those and hostile's");
        if (options.Mode == Mode.Replay)
        {
            if (options.Address is not null || options.Target != Target.Workq || options.Versus != Versus.None)
                throw new ArgumentException("replay starts its own Workq servers: drop --addr, --target and --vs");
            options = options with
            {
                Jobs = given.Contains("-n") || given.Contains("--jobs") ? options.Jobs : 1_000_000,
                PayloadSize = given.Contains("--payload") ? options.PayloadSize : 100,
                Pipeline = given.Contains("--pipeline") ? options.Pipeline : 64,
            };
        }
        return options;
    }

    static Dictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> environment, string text)
    {
        int equals = text.IndexOf('=');
        if (equals <= 0) throw new ArgumentException($"--server-env needs NAME=VALUE, not {text}");
        return new Dictionary<string, string>(environment) { [text[..equals]] = text[(equals + 1)..] };
    }

    static Versus ParseVersus(string text) => text switch
    {
        "beanstalkd" => Versus.Beanstalkd,
        "original" => Versus.Original,
        "cmdlog" => Versus.Cmdlog,
        "cluster" => Versus.Cluster,
        _ => throw new ArgumentException($"--vs takes beanstalkd, original, cmdlog or cluster, not {text}"),
    };

    static Target ParseTarget(string text) => text switch
    {
        "workq" => Target.Workq,
        "beanstalkd" => Target.Beanstalkd,
        "original" => Target.Original,
        _ => throw new ArgumentException($"unknown server {text}: workq, beanstalkd or original"),
    };

    /// <summary>The Workq checkout: the nearest directory upwards that holds Workq.sln.</summary>
    public string FindRepoRoot()
    {
        if (RepoRoot is not null) return RepoRoot;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Workq.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find Workq.sln upwards from here: give --repo DIR");
    }
}
