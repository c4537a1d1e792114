using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Workq.Bench;

/// <summary>
/// <c>failover</c>: a three-member cluster on this machine under P producers that add
/// through every member; its leader is killed (SIGKILL) <c>--kills</c> times, and started
/// again each time, or with <c>--pause</c> paused (SIGSTOP) and resumed (SIGCONT) once
/// another leader serves, when it must have stepped down. The failover time is from the
/// signal to the first add acknowledged by a client that tries every member at once from
/// then on (<see cref="Load.ProbeAsync"/>). At the end every acknowledged add
/// is sent again to the leader: a job that is there is refused as a duplicate; one that
/// was lost is added, and counted.
/// </summary>
public static class FailoverRun
{
    /// <summary>After a member starts again, before the next kill: it catches up and the load settles.</summary>
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        var repo = o.FindRepoRoot();
        await ServerProcess.BuildWorkqAsync(repo, cancel);
        await using var cluster = await LocalCluster.StartAsync(o, repo, 3, ["--cluster-election-timeout", o.ElectionTimeout], cancel);
        var load = new Load(cluster.Members.Select(m => m.Client).ToArray(), o.Producers, o.PayloadSize);
        var failovers = new List<double>();
        var stepDowns = new List<double>();
        var fault = o.Pause ? "pause" : "kill";
        try
        {
            for (var round = 1; round <= o.Kills; round++)
            {
                await Task.Delay(Settle, cancel);
                var leader = await cluster.LeaderAsync(TimeSpan.FromSeconds(60), cancel);
                // Timed from the signal: an add sent after it cannot be answered by the old leader.
                long signalledAt = 0;
                if (o.Pause)
                    cluster.Pause(leader, at => signalledAt = at);
                else
                    await cluster.KillAsync(leader, at => signalledAt = at);
                var acked = await load.ProbeAsync(cancel).WaitAsync(TimeSpan.FromSeconds(60), cancel);
                var ms = Stopwatch.GetElapsedTime(signalledAt, acked).TotalMilliseconds;
                failovers.Add(ms);
                Console.Error.WriteLine($"{fault} {round}/{o.Kills} of {leader.Raft}: first acknowledged add after {ms:F0} ms");
                if (o.Pause)
                    stepDowns.Add(await ResumeAsync(cluster, leader, cancel));
                else
                    await cluster.StartAsync(leader, cancel);
            }
        }
        finally
        {
            await load.StopAsync();
        }
        var finalLeader = await cluster.LeaderAsync(TimeSpan.FromSeconds(60), cancel);
        var acknowledged = load.Acknowledged;
        var lost = await CountLostAsync(finalLeader.Client, acknowledged, o.PayloadSize, cancel);
        Print(o, fault, failovers, stepDowns, acknowledged.Count, load.Broken, lost);
    }

    /// <summary>
    /// Resumes a paused leader and waits until it relays to another (it has stepped down);
    /// returns the milliseconds that took, and throws if it still serves after 30 s.
    /// </summary>
    static async Task<double> ResumeAsync(LocalCluster cluster, LocalCluster.Member paused, CancellationToken cancel)
    {
        cluster.Resume(paused);
        var resumedAt = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(resumedAt) < TimeSpan.FromSeconds(30))
        {
            if (await cluster.LeaderSeenByAsync(paused, cancel) is { } seen && seen != paused)
                return Stopwatch.GetElapsedTime(resumedAt).TotalMilliseconds;
            await Task.Delay(10, cancel);
        }
        throw new InvalidOperationException($"{paused.Raft}, resumed, still serves as the leader after 30 s");
    }

    static void Print(Options o, string fault, List<double> failovers, List<double> stepDowns, int acknowledged, long broken, long lost)
    {
        var under2s = failovers.Count(ms => ms < 2000);
        var signalled = o.Pause ? "paused" : "killed";
        Console.WriteLine($"workq 3-member cluster, leader {signalled} {failovers.Count} times: -p {o.Producers}, --payload {o.PayloadSize}, election timeout {o.ElectionTimeout} ms");
        Console.WriteLine($"  failover ({fault} -> first acknowledged add): median {Median(failovers):F0} ms, max {Max(failovers):F0} ms, under 2 s in {under2s} of {failovers.Count}");
        Console.WriteLine($"  each, ms: {string.Join(" ", failovers.Select(ms => ms.ToString("F0")))}");
        if (o.Pause)
            Console.WriteLine($"  the paused leader, resumed, relayed to the new one after: median {Median(stepDowns):F0} ms, max {Max(stepDowns):F0} ms");
        Console.WriteLine($"  adds acknowledged: {acknowledged}; lost: {lost}; adds whose connection broke or that had no reply within 1 s (outcome unknown, not counted): {broken}");
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(new
        {
            settings = new { producers = o.Producers, payload = o.PayloadSize, electionTimeout = o.ElectionTimeout, kills = o.Kills, fault },
            failoverMs = failovers,
            medianMs = Median(failovers),
            maxMs = Max(failovers),
            under2s,
            stepDownMs = stepDowns,
            acknowledged,
            lost,
            broken,
        }, Report.Json));
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    static double Max(List<double> values) => values.Count == 0 ? 0 : values.Max();

    /// <summary>
    /// Sends every acknowledged add again, pipelined, to <paramref name="leader"/>: the
    /// jobs it has are refused as duplicates; the number it took (lost ones) is returned.
    /// </summary>
    static async Task<long> CountLostAsync(IPEndPoint leader, IReadOnlyList<Guid> ids, int payloadSize, CancellationToken cancel)
    {
        using var socket = await Connection.ConnectAsync(leader, cancel);
        var lines = new LineReader(socket);
        long lost = 0;
        foreach (var chunk in ids.Chunk(500))
        {
            var requests = new MemoryStream();
            foreach (var id in chunk)
                requests.Write(Load.AddRequest(id, payloadSize));
            await socket.SendAsync(requests.ToArray(), SocketFlags.None, cancel);
            foreach (var id in chunk)
            {
                var reply = await lines.ReadLineAsync(cancel);
                if (reply == "+OK")
                {
                    lost++;
                    Console.Error.WriteLine($"lost: {id}");
                }
                else if (reply != "-CLIENT-ERROR Duplicate job")
                {
                    throw new UnexpectedReplyException($"unexpected reply to a repeated add: {reply}");
                }
            }
        }
        return lost;
    }

    /// <summary>
    /// Producers that add through every member in turn until stopped, each on a
    /// connection of its own, moving to the next member when a connection breaks.
    /// </summary>
    sealed class Load
    {
        /// <summary>
        /// How long a producer waits for a reply before it leaves the member for the next,
        /// as a client with a timeout does: a paused member accepts connections (the kernel
        /// does) but answers nothing.
        /// </summary>
        static readonly TimeSpan ReplyPatience = TimeSpan.FromSeconds(1);

        readonly IPEndPoint[] members;
        readonly int payloadSize;
        readonly CancellationTokenSource stop = new();
        readonly Task[] producers;
        readonly ConcurrentQueue<Guid> acknowledged = new();
        long broken;

        public Load(IPEndPoint[] members, int producers, int payloadSize)
        {
            this.members = members;
            this.payloadSize = payloadSize;
            this.producers = [.. Enumerable.Range(0, producers).Select(i => Task.Run(() => ProduceAsync(i)))];
        }

        public IReadOnlyList<Guid> Acknowledged => [.. acknowledged];

        public long Broken => Interlocked.Read(ref broken);

        /// <summary>
        /// Sends adds from now on to every member at once, each on a connection of its own
        /// and again after every failure, until one is acknowledged; returns the moment
        /// it was (a <see cref="Stopwatch"/> timestamp).
        /// </summary>
        public async Task<long> ProbeAsync(CancellationToken cancel)
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var first = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var probes = members.Select(member => Task.Run(async () =>
            {
                while (!done.Token.IsCancellationRequested)
                {
                    var sent = false;
                    try
                    {
                        using var socket = await Connection.ConnectAsync(member, done.Token);
                        var id = Guid.CreateVersion7();
                        await socket.SendAsync(AddRequest(id, payloadSize), SocketFlags.None, done.Token);
                        sent = true;
                        if (await ReplyAsync(new LineReader(socket), member, done.Token) == "+OK")
                        {
                            acknowledged.Enqueue(id);
                            first.TrySetResult(Stopwatch.GetTimestamp());
                            return;
                        }
                    }
                    catch (Exception e) when (e is IOException or SocketException)
                    {
                        if (sent)
                            Interlocked.Increment(ref broken);
                    }
                    catch (OperationCanceledException) when (done.Token.IsCancellationRequested)
                    {
                        // Another member's answer came first; this add's outcome is not known.
                        if (sent)
                            Interlocked.Increment(ref broken);
                        return;
                    }
                    await Task.Delay(10, CancellationToken.None);
                }
            })).ToArray();
            try
            {
                return await first.Task.WaitAsync(cancel);
            }
            finally
            {
                await done.CancelAsync();
                await Task.WhenAll(probes);
            }
        }

        public static byte[] AddRequest(Guid id, int payloadSize) =>
            Encoding.ASCII.GetBytes($"add {id} failover 60000 3600000 {payloadSize}\r\n{new string('x', payloadSize)}\r\n");

        async Task ProduceAsync(int first)
        {
            var token = stop.Token;
            for (var at = first; !token.IsCancellationRequested; at++)
            {
                var member = members[at % members.Length];
                try
                {
                    using var socket = await Connection.ConnectAsync(member, token);
                    var lines = new LineReader(socket);
                    while (!token.IsCancellationRequested)
                    {
                        var id = Guid.CreateVersion7();
                        await socket.SendAsync(AddRequest(id, payloadSize), SocketFlags.None, token);
                        string reply;
                        try
                        {
                            reply = await ReplyAsync(lines, member, token);
                        }
                        catch (IOException)
                        {
                            Interlocked.Increment(ref broken);
                            throw;
                        }
                        if (reply != "+OK")
                            throw new UnexpectedReplyException($"unexpected reply to add: {reply}");
                        acknowledged.Enqueue(id);
                    }
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    // The member is down, or was the leader: on to the next.
                    await Task.Delay(10, CancellationToken.None);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                }
            }
        }

        /// <summary>The next reply line; an <see cref="IOException"/> when none comes within <see cref="ReplyPatience"/>.</summary>
        static async Task<string> ReplyAsync(LineReader lines, IPEndPoint member, CancellationToken token)
        {
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(token);
            patience.CancelAfter(ReplyPatience);
            try
            {
                return await lines.ReadLineAsync(patience.Token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new IOException($"no reply from {member} within {ReplyPatience.TotalSeconds:F0} s");
            }
        }

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await Task.WhenAll(producers);
        }


    }

    /// <summary>Reads a connection's replies line by line (ASCII, CR LF).</summary>
    sealed class LineReader(Socket socket)
    {
        readonly byte[] buffer = new byte[64 * 1024];
        int start;
        int end;

        public async Task<string> ReadLineAsync(CancellationToken cancel)
        {
            while (true)
            {
                var lf = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (lf >= 0)
                {
                    var line = Encoding.ASCII.GetString(buffer, start, lf - start).TrimEnd('\r');
                    start = lf + 1;
                    return line;
                }
                if (start > 0)
                {
                    Array.Copy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length) throw new UnexpectedReplyException("a reply line longer than 64 KiB");
                int read;
                try
                {
                    read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancel);
                }
                catch (SocketException e)
                {
                    throw new IOException(e.Message, e);
                }
                if (read == 0) throw new IOException("the connection closed");
                end += read;
            }
        }
    }
}
