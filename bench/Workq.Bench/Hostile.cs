using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Workq.Bench;

/// <summary>What one hostile pattern did to a fresh server: its memory, and what it did besides.</summary>
public sealed record HostileResult(
    string Pattern,
    string What,
    double BaselineMb,
    double PeakMb,
    double GrowthMb,
    string Bound,
    bool WithinBound,
    IReadOnlyList<string> Notes);

/// <summary>
/// <c>workq-bench hostile</c>: the ways a careless or hostile client can try to take a
/// server's memory or disk, each against a fresh server process. For each, the server's
/// resident memory when the pattern starts (after its own setup), its peak while the
/// pattern runs (VmHWM, reset at the start) and the growth, against the bound the server
/// promises. Linux only, and the disk pattern mounts a tmpfs (root).
/// </summary>
public static class Hostile
{
    public static readonly string[] Patterns = ["slow-senders", "drip", "no-read", "unfinished", "flood", "history"];

    const double MB = 1024 * 1024;

    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        string repo = o.FindRepoRoot();
        await ServerProcess.BuildWorkqAsync(repo, cancel);
        var results = new List<HostileResult>();
        foreach (string pattern in o.HostilePatterns ?? Patterns)
        {
            Console.Error.WriteLine($"hostile: {pattern}...");
            HostileResult result = pattern switch
            {
                "slow-senders" => await SlowSendersAsync(o, repo, cancel),
                "drip" => await DripAsync(o, repo, cancel),
                "no-read" => await NoReadAsync(o, repo, cancel),
                "unfinished" => await UnfinishedAsync(o, repo, cancel),
                "flood" => await FloodAsync(o, repo, cancel),
                "history" => await HistoryAsync(o, repo, cancel),
                _ => throw new ArgumentException($"unknown pattern {pattern}: {string.Join(", ", Patterns)}"),
            };
            Print(result);
            results.Add(result);
        }
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(new { mode = "hostile", environment = o.ServerEnvironment, results }, Report.Json));
    }

    static void Print(HostileResult r)
    {
        Console.WriteLine($"{r.Pattern}: {r.What}");
        if (r.PeakMb > 0)
            Console.WriteLine($"  RSS {r.BaselineMb:F1} MB at the start, peak {r.PeakMb:F1} MB: growth {r.GrowthMb:F1} MB (bound {r.Bound}: {(r.WithinBound ? "within" : "OVER")})");
        else
            Console.WriteLine($"  {r.Bound}: {(r.WithinBound ? "yes" : "NO")}");
        foreach (string note in r.Notes)
            Console.WriteLine($"  {note}");
    }

    // ---- the patterns -----------------------------------------------------------------

    /// <summary>N connections, each sending one byte of a request a second.</summary>
    static async Task<HostileResult> SlowSendersAsync(Options o, string repo, CancellationToken cancel)
    {
        int n = o.HostileConnections ?? 1000;
        int seconds = o.HostileSeconds ?? 60;
        await using var server = await StartAsync(o, repo, [], cancel);
        var sockets = new List<Socket>();
        try
        {
            var start = Start(server);
            for (int i = 0; i < n; i++)
                sockets.Add(await Connection.ConnectAsync(server.EndPoint, cancel));
            byte[][] requests = sockets.Select(_ => Encoding.ASCII.GetBytes($"add {Guid.NewGuid()} slow 60000 60000 1048576\r\n" + new string('s', 1000))).ToArray();
            for (int second = 0; second < seconds; second++)
            {
                var tick = Task.Delay(1000, cancel);
                for (int i = 0; i < sockets.Count; i++)
                    await sockets[i].SendAsync(requests[i].AsMemory(second, 1), SocketFlags.None, cancel);
                await tick;
            }
            var keys = await InspectAsync(server, cancel);
            return Measure(server, start, "slow-senders", $"{n} connections sending a byte a second for {seconds} s", 64,
                [$"connection-bytes {Mb(keys["connection-bytes"])} MB at the end (the server's own account)"]);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    /// <summary>One connection sending 20,000 bytes of a request, one send each.</summary>
    static async Task<HostileResult> DripAsync(Options o, string repo, CancellationToken cancel)
    {
        const int bytes = 20_000;
        await using var server = await StartAsync(o, repo, [], cancel);
        using var socket = await Connection.ConnectAsync(server.EndPoint, cancel);
        var start = Start(server);
        byte[] request = Encoding.ASCII.GetBytes($"add {Guid.NewGuid()} drip 60000 60000 1048576\r\n" + new string('d', bytes));
        for (int i = 0; i < request.Length; i++)
        {
            await socket.SendAsync(request.AsMemory(i, 1), SocketFlags.None, cancel);
            // A pause of 50 µs, so that most bytes arrive in receives of their own.
            long until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20_000;
            while (Stopwatch.GetTimestamp() < until)
                Thread.SpinWait(10);
        }
        var keys = await InspectAsync(server, cancel);
        return Measure(server, start, "drip", $"one connection sending {request.Length} bytes one send at a time", 4,
            [$"connection-bytes-peak {Mb(keys["connection-bytes-peak"])} MB (the server's own account)"]);
    }

    /// <summary>100 jobs of 1 MiB stored; one connection pipelines pages of them and never reads.</summary>
    static async Task<HostileResult> NoReadAsync(Options o, string repo, CancellationToken cancel)
    {
        const int jobs = 100, pages = 1000;
        int seconds = o.HostileSeconds ?? 20;
        await using var server = await StartAsync(o, repo, [], cancel);
        await AddJobsAsync(server.EndPoint, "big", jobs, 1 << 20, ttlMs: 3_600_000, cancel);
        var keysBefore = await InspectAsync(server, cancel);
        long cap = long.Parse(o.ServerArgs.SkipWhile(a => a != "--max-unsent-bytes").Skip(1).FirstOrDefault() ?? (4L << 20).ToString());
        var start = Start(server);
        using var hog = await Connection.ConnectAsync(server.EndPoint, cancel);
        byte[] requests = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("inspect jobs big 0 100\r\n", pages)));
        await hog.SendAsync(requests, SocketFlags.None, cancel);
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancel);
        var keys = await InspectAsync(server, cancel);
        double bound = (2.0 * cap + (1 << 20)) / MB;
        return Measure(server, start, "no-read",
            $"{jobs} jobs of 1 MiB stored, one connection sending {pages} x inspect jobs big 0 100 and reading nothing for {seconds} s",
            bound,
            [$"stored-bytes {Mb(keysBefore["stored-bytes"])} MB before; connection-bytes-peak {Mb(keys["connection-bytes-peak"])} MB; reply cap {cap / MB:F0} MiB"]);
    }

    /// <summary>300 connections, each holding a 1 MiB request short of its last bytes, until the request timeout.</summary>
    static async Task<HostileResult> UnfinishedAsync(Options o, string repo, CancellationToken cancel)
    {
        int n = o.HostileConnections ?? 300;
        const int timeoutMs = 5000;
        await using var server = await StartAsync(o, repo, ["--request-timeout", timeoutMs.ToString()], cancel);
        var sockets = new List<Socket>();
        try
        {
            var start = Start(server);
            byte[] payload = new byte[(1 << 20) - 1];
            for (int i = 0; i < n; i++)
            {
                var socket = await Connection.ConnectAsync(server.EndPoint, cancel);
                sockets.Add(socket);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"add {Guid.NewGuid()} unfinished 60000 60000 {1 << 20}\r\n"), SocketFlags.None, cancel);
                await socket.SendAsync(payload, SocketFlags.None, cancel);
            }
            var held = await InspectAsync(server, cancel);
            double sentMb = n * (double)(1 << 20) / MB;
            // Timed out and closed: each gets its answer.
            int answered = 0;
            foreach (var socket in sockets)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                wait.CancelAfter(timeoutMs * 4);
                byte[] reply = new byte[64];
                int got = await socket.ReceiveAsync(reply, SocketFlags.None, wait.Token);
                if (Encoding.ASCII.GetString(reply, 0, got).StartsWith("-CLIENT-ERROR Request timed out"))
                    answered++;
            }
            // A closed connection lets its client read the last reply for up to 2 s before the
            // socket goes, and its buffers with it; the server gives the memory back once it
            // has been quiet for 5 s.
            await Task.Delay(10_000, cancel);
            var after = await InspectAsync(server, cancel);
            var result = Measure(server, start, "unfinished",
                $"{n} connections each holding a 1 MiB request short of its last byte ({sentMb:F0} MB sent)",
                1.1 * sentMb,
                [$"connection-bytes {Mb(held["connection-bytes"])} MB while held; {answered} of {n} answered Request timed out after {timeoutMs} ms; "
                 + $"then connection-bytes {Mb(after["connection-bytes"])} MB, RSS {ProcStats.Rss(server.Pid) / MB:F1} MB"]);
            return result;
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    /// <summary>20 connections flooding 1 MiB jobs with a TTL of 10 s under a 2 GiB stored-bytes limit; then idle.</summary>
    static async Task<HostileResult> FloodAsync(Options o, string repo, CancellationToken cancel)
    {
        int n = o.HostileConnections ?? 20;
        int seconds = o.HostileSeconds ?? 30;
        const long limit = 2L << 30;
        const int ttlMs = 10_000;
        await using var server = await StartAsync(o, repo, ["--max-stored-bytes", limit.ToString()], cancel);
        var start = Start(server);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        long added = 0, refused = 0;
        long peakStored = 0;
        var flooders = Enumerable.Range(0, n).Select(async _ =>
        {
            using var socket = await Connection.ConnectAsync(server.EndPoint, cancel);
            byte[] payload = new byte[1 << 20];
            Array.Fill(payload, (byte)'f');
            byte[] reply = new byte[256];
            while (!stop.IsCancellationRequested)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"add {Guid.NewGuid()} flood 60000 {ttlMs} {payload.Length}\r\n"), SocketFlags.None, cancel);
                await socket.SendAsync(payload, SocketFlags.None, cancel);
                await socket.SendAsync("\r\n"u8.ToArray(), SocketFlags.None, cancel);
                string line = await ReadLineAsync(socket, reply, cancel);
                if (line == "+OK") Interlocked.Increment(ref added);
                else if (line.StartsWith("-SERVER-ERROR Out of memory")) Interlocked.Increment(ref refused);
                else throw new UnexpectedReplyException($"flood: unexpected reply {line}");
            }
        }).ToList();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var keys = await InspectAsync(server, cancel);
                peakStored = Math.Max(peakStored, long.Parse(keys["stored-bytes"]));
                await Task.Delay(500, cancel);
            }
        }, cancel);
        await Task.WhenAll(flooders);
        await watch;
        var peak = ProcStats.PeakRss(server.Pid);
        // Idle: the jobs expire, then 30 s more.
        await Task.Delay(ttlMs + 1000, cancel);
        var expired = await InspectAsync(server, cancel);
        await Task.Delay(30_000, cancel);
        var later = await InspectAsync(server, cancel);
        double rssLater = ProcStats.Rss(server.Pid) / MB;
        double live = long.Parse(later["stored-bytes"]) / MB;
        var result = Measure(server, start, "flood",
            $"{n} connections adding 1 MiB jobs (TTL {ttlMs / 1000} s) for {seconds} s under -max-stored-bytes {limit}",
            2.5 * 1024 - start.BaselineMb,
            [$"{added} added, {refused} refused Out of memory; stored-bytes peaked near {peakStored / MB:F0} MB",
             $"peak RSS {peak / MB:F0} MB (bound 2560 MB)",
             $"30 s after the jobs expired (stored-bytes {Mb(expired["stored-bytes"])} MB then, {live:F1} MB now): "
             + $"RSS {rssLater:F1} MB = {rssLater / (start.BaselineMb + live):F2} x (baseline + live data)"]);
        return result;
    }

    /// <summary>
    /// A small disk filled with history (jobs added and deleted): how soon adds go in again;
    /// then a restart on the full disk.
    /// </summary>
    static async Task<HostileResult> HistoryAsync(Options o, string repo, CancellationToken cancel)
    {
        const int cleanMs = 5000;
        string mount = Directory.CreateTempSubdirectory("workq-hostile-").FullName;
        Run("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mount);
        var notes = new List<string>();
        bool ok;
        try
        {
            string dir = Path.Combine(mount, "log");
            string[] args = ["--cmdlog-path", dir, "--cmdlog-clean-int", cleanMs.ToString()];
            TimeSpan recovered;
            await using (var server = await StartAsync(o, repo, args, cancel, warm: false))
            {
                using var socket = await Connection.ConnectAsync(server.EndPoint, cancel);
                byte[] reply = new byte[256];
                string payload = new('h', 64 * 1024);
                int cycles = 0;
                string refusal;
                while (true)
                {
                    string id = Guid.NewGuid().ToString();
                    string line = await CallAsync(socket, $"add {id} h 60000 3600000 {payload.Length}\r\n{payload}\r\n", reply, cancel);
                    if (line != "+OK")
                    {
                        refusal = line;
                        break;
                    }
                    await CallAsync(socket, $"delete {id}\r\n", reply, cancel);
                    cycles++;
                }
                notes.Add($"{cycles} jobs of 64 KiB added and deleted before an add was refused: {refusal}");
                var full = Stopwatch.StartNew();
                while (await CallAsync(socket, $"add {Guid.NewGuid()} h 60000 3600000 {payload.Length}\r\n{payload}\r\n", reply, cancel) != "+OK")
                    await Task.Delay(100, cancel);
                recovered = full.Elapsed;
                notes.Add($"adds went in again {recovered.TotalSeconds:F1} s later (compaction interval {cleanMs / 1000} s)");
                await server.StopGracefullyAsync(TimeSpan.FromSeconds(10), cancel);
            }
            // Every byte taken, then a restart.
            string filler = Path.Combine(mount, "filler");
            try
            {
                await using var fill = new FileStream(filler, FileMode.Create);
                byte[] chunk = new byte[4096];
                while (true) await fill.WriteAsync(chunk, cancel);
            }
            catch (IOException)
            {
            }
            bool started;
            string startup;
            try
            {
                await using var again = await StartAsync(o, repo, args, cancel, warm: false);
                using var socket = await Connection.ConnectAsync(again.EndPoint, cancel);
                string big = $"add {{0}} h 60000 3600000 {64 * 1024}\r\n{new string('h', 64 * 1024)}\r\n";
                string line = await CallAsync(socket, string.Format(big, Guid.NewGuid()), new byte[256], cancel);
                File.Delete(filler);
                string afterRoom = await CallAsync(socket, string.Format(big, Guid.NewGuid()), new byte[256], cancel);
                started = true;
                startup = $"the restart on the full disk listened; an add answered {line}; with room again, {afterRoom}; "
                    + $"it said: {again.RecentOutput.FirstOrDefault(l => l.Contains("no room")) ?? "(nothing about the disk)"}";
            }
            catch (InvalidOperationException e)
            {
                // Exited: with one line and code 2 is fine, a crash is not.
                started = false;
                startup = $"the restart on the full disk exited: {e.Message}";
            }
            notes.Add(startup);
            ok = recovered.TotalMilliseconds <= cleanMs + 1000 && (started || startup.Contains("exited with 2"));
        }
        finally
        {
            Run("umount", mount);
            Directory.Delete(mount);
        }
        return new HostileResult("history", "a 32 MiB tmpfs filled with the log's history", 0, 0, 0,
            "adds again within one compaction interval, and a restart that starts (or exits 2)", ok, notes);
    }

    // ---- helpers ----------------------------------------------------------------------

    sealed record Started(double BaselineMb);

    /// <summary>A fresh server, warmed up unless it is for the disk pattern.</summary>
    static async Task<ServerProcess> StartAsync(Options o, string repo, string[] args, CancellationToken cancel, bool warm = true)
    {
        var server = await ServerProcess.StartWorkqAsync(repo, [.. o.ServerArgs, .. args], cancel, o.ServerEnvironment);
        if (warm)
            await WarmUpAsync(server, cancel);
        return server;
    }

    /// <summary>
    /// Runs the server's request paths a while first (JIT, the collector's budgets), so that
    /// the growth measured is the pattern's, not the first minutes of any server.
    /// </summary>
    static async Task WarmUpAsync(ServerProcess server, CancellationToken cancel)
    {
        using var socket = await Connection.ConnectAsync(server.EndPoint, cancel);
        byte[] reply = new byte[256];
        for (int i = 0; i < 2000; i++)
        {
            string id = Guid.NewGuid().ToString();
            await CallAsync(socket, $"add {id} warm 60000 60000 64\r\n{new string('w', 64)}\r\n", reply, cancel);
            await CallAsync(socket, $"delete {id}\r\n", reply, cancel);
        }
        string dripped = $"add {Guid.NewGuid()} warm 60000 60000 1000\r\n{new string('w', 1000)}\r\n";
        foreach (byte b in Encoding.ASCII.GetBytes(dripped))
            await socket.SendAsync(new[] { b }, SocketFlags.None, cancel);
        await ReadLineAsync(socket, reply, cancel);
        await InspectAsync(server, cancel);
    }

    /// <summary>The pattern starts: the server's RSS now, and its peak counted from now.</summary>
    static Started Start(ServerProcess server)
    {
        ProcStats.ResetPeakRss(server.Pid);
        return new Started(ProcStats.Rss(server.Pid) / MB);
    }

    static HostileResult Measure(ServerProcess server, Started start, string pattern, string what, double boundMb, IReadOnlyList<string> notes)
    {
        double peak = ProcStats.PeakRss(server.Pid) / MB;
        double growth = peak - start.BaselineMb;
        return new HostileResult(pattern, what, start.BaselineMb, peak, growth, $"{boundMb:F1} MB", growth <= boundMb, notes);
    }

    static string Mb(string bytes) => (long.Parse(bytes) / MB).ToString("F2");

    static async Task<IReadOnlyDictionary<string, string>> InspectAsync(ServerProcess server, CancellationToken cancel)
    {
        using var socket = await Connection.ConnectAsync(server.EndPoint, cancel);
        return await ServerInspector.InspectAsync(socket, cancel);
    }

    static async Task AddJobsAsync(EndPoint server, string queue, int count, int size, int ttlMs, CancellationToken cancel)
    {
        using var socket = await Connection.ConnectAsync(server, cancel);
        byte[] reply = new byte[256];
        string payload = new('p', size);
        for (int i = 0; i < count; i++)
        {
            string line = await CallAsync(socket, $"add {Guid.NewGuid()} {queue} 60000 {ttlMs} {size}\r\n{payload}\r\n", reply, cancel);
            if (line != "+OK")
                throw new UnexpectedReplyException($"adding the jobs: {line}");
        }
    }

    static async Task<string> CallAsync(Socket socket, string request, byte[] buffer, CancellationToken cancel)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancel);
        return await ReadLineAsync(socket, buffer, cancel);
    }

    /// <summary>Reads a one-line reply (the only kind these patterns get).</summary>
    static async Task<string> ReadLineAsync(Socket socket, byte[] buffer, CancellationToken cancel)
    {
        int length = 0;
        while (true)
        {
            int got = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancel);
            if (got == 0)
                throw new IOException("the server closed the connection");
            length += got;
            int lf = Array.IndexOf(buffer, (byte)'\n', 0, length);
            if (lf >= 0)
                return Encoding.ASCII.GetString(buffer, 0, lf).TrimEnd('\r');
        }
    }

    static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"cannot run {file}");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error.Trim()} (the history pattern needs root)");
    }
}
