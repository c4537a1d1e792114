using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Workq.Bench;

/// <summary>
/// A cluster of Workq processes on this machine (<c>--vs cluster</c>, <c>failover</c>, <c>catchup</c>):
/// each member with a client port, a Raft port and a fresh directory of its own, all
/// kept for its life, so that a member killed and started again is the same member.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>One member: its ports and directory, and its process while it runs.</summary>
    public sealed class Member(int clientPort, int raftPort, int? httpPort, LogDirectory directory)
    {
        public IPEndPoint Client { get; } = new(IPAddress.Loopback, clientPort);
        public string Raft { get; } = $"127.0.0.1:{raftPort}";
        /// <summary>Its HTTP side, when the cluster was started with one per member.</summary>
        public IPEndPoint? Http { get; } = httpPort is { } port ? new(IPAddress.Loopback, port) : null;
        public LogDirectory Directory { get; } = directory;
        public ServerProcess? Process { get; set; }
    }

    readonly string repo;
    readonly string peers;
    readonly IReadOnlyList<string> extraArgs;

    LocalCluster(string repo, IReadOnlyList<Member> members, IReadOnlyList<string> extraArgs)
    {
        this.repo = repo;
        Members = members;
        this.extraArgs = extraArgs;
        peers = string.Join(",", members.Select(m => m.Raft));
    }

    public IReadOnlyList<Member> Members { get; }

    /// <summary>
    /// Starts <paramref name="size"/> members with <paramref name="extraArgs"/> each, and
    /// waits for a leader; with <paramref name="http"/> each has its HTTP side on a port of
    /// its own (otherwise none).
    /// </summary>
    public static async Task<LocalCluster> StartAsync(Options o, string repo, int size, IReadOnlyList<string> extraArgs, CancellationToken cancel, bool http = false)
    {
        var ports = LowPorts((http ? 3 : 2) * size);
        var members = Enumerable.Range(0, size)
            .Select(i => new Member(ports[i], ports[size + i], http ? ports[2 * size + i] : null, LogDirectory.Create(o.LogParent, "member")))
            .ToList();
        var cluster = new LocalCluster(repo, members, extraArgs);
        try
        {
            await Task.WhenAll(members.Select(m => cluster.StartAsync(m, cancel)));
            await cluster.LeaderAsync(TimeSpan.FromSeconds(60), cancel);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (or starts again) a member on its ports and directory.</summary>
    public async Task StartAsync(Member member, CancellationToken cancel) =>
        member.Process = await ServerProcess.StartWorkqOnAsync(
            repo, member.Client.Port,
            ["--http-listen", member.Http?.ToString() ?? "none", "--cmdlog-path", member.Directory.Path, "--cluster-listen", member.Raft, "--cluster-peers", peers, .. extraArgs],
            cancel);

    /// <summary>
    /// SIGKILL; <paramref name="signalled"/> is told the moment the signal was sent, at
    /// once (a <see cref="Stopwatch"/> timestamp); returns once the process has exited.
    /// </summary>
    public async Task KillAsync(Member member, Action<long>? signalled = null)
    {
        if (member.Process is { } process)
        {
            member.Process = null;
            process.Kill();
            signalled?.Invoke(Stopwatch.GetTimestamp());
            await process.DisposeAsync();
        }
    }

    /// <summary>
    /// SIGSTOP: the member keeps its sockets and its state but does nothing, as a machine
    /// that hangs does; <paramref name="signalled"/> is told the moment the signal was sent.
    /// </summary>
    public void Pause(Member member, Action<long>? signalled = null)
    {
        Signal(member, SigStop);
        signalled?.Invoke(Stopwatch.GetTimestamp());
    }

    /// <summary>SIGCONT: a paused member goes on where it stopped.</summary>
    public void Resume(Member member) => Signal(member, SigCont);

    const int SigCont = 18;
    const int SigStop = 19;

    static void Signal(Member member, int signal)
    {
        var process = member.Process ?? throw new InvalidOperationException($"{member.Raft} is not running");
        if (kill(process.Pid, signal) != 0)
            throw new InvalidOperationException($"signal {signal} to {member.Raft} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    /// <summary>
    /// The leader that answers through <paramref name="asked"/> (a follower relays to it),
    /// or null when none answers within 3 s.
    /// </summary>
    public async Task<Member?> LeaderSeenByAsync(Member asked, CancellationToken cancel) =>
        await AskLeaderAsync(asked.Client, cancel) is { } address
            ? Members.FirstOrDefault(m => m.Client.ToString() == address)
            : null;

    /// <summary>The member that serves clients, as a running member says (through it, the leader answers).</summary>
    public async Task<Member> LeaderAsync(TimeSpan patience, CancellationToken cancel)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(patience.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            foreach (var asked in Members.Where(m => m.Process is not null))
            {
                if (await AskLeaderAsync(asked.Client, cancel) is { } address
                    && Members.FirstOrDefault(m => m.Process is not null && m.Client.ToString() == address) is { } leader)
                    return leader;
            }
            await Task.Delay(50, cancel);
        }
        throw new InvalidOperationException($"no leader within {patience.TotalSeconds:F0} s");
    }

    static async Task<string?> AskLeaderAsync(IPEndPoint member, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var socket = await Connection.ConnectAsync(member, timeout.Token);
            var keys = await ServerInspector.InspectAsync(socket, timeout.Token);
            return keys.GetValueOrDefault("role") == "leader" ? keys.GetValueOrDefault("leader") : null;
        }
        catch (Exception e) when (e is IOException or SocketException || (e is OperationCanceledException && !cancel.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>
    /// Free ports below the kernel's ephemeral range: a Raft address names its member, and
    /// a port the kernel hands out for outgoing connections could be taken while the
    /// member is down.
    /// </summary>
    static List<int> LowPorts(int count)
    {
        var chosen = new List<int>();
        while (chosen.Count < count)
        {
            var port = Random.Shared.Next(20000, 32000);
            if (chosen.Contains(port)) continue;
            try
            {
                var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                probe.Stop();
                chosen.Add(port);
            }
            catch (SocketException)
            {
            }
        }
        return chosen;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            await KillAsync(member);
            member.Directory.Dispose();
        }
    }
}
