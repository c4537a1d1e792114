using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Workq.Bench;

/// <summary>A fresh server started for one measurement, on a free local port.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    readonly Process process;
    // The last lines it printed, to show when it fails to start.
    readonly Queue<string> output = new();

    ServerProcess(Process process, IPEndPoint endPoint)
    {
        this.process = process;
        EndPoint = endPoint;
    }

    // With --scrape-metrics or --dashboard: what GETs its HTTP side until it is disposed.
    readonly List<HttpPoller> pollers = [];

    public IPEndPoint EndPoint { get; }
    public int Pid => process.Id;
    public bool HasExited => process.HasExited;

    /// <summary>The Stopwatch timestamp taken just before the process was started.</summary>
    public long LaunchedAt { get; private init; }

    /// <summary>The last lines the server printed (stdout and stderr).</summary>
    public IReadOnlyList<string> RecentOutput
    {
        get
        {
            lock (output) return [.. output];
        }
    }

    /// <summary>Builds the Release host once per invocation of the tool.</summary>
    public static async Task BuildWorkqAsync(string repoRoot, CancellationToken cancel)
    {
        Console.Error.WriteLine("building src/Workq.Host (Release)...");
        var info = new ProcessStartInfo("dotnet", ["build", "src/Workq.Host", "-c", "Release", "-nologo", "-v", "q", "-clp:ErrorsOnly"])
        {
            WorkingDirectory = repoRoot,
            // Kept off stdout, which carries the report; shown only if the build fails.
            RedirectStandardOutput = true,
        };
        InlineCompletions.Restore(info.Environment);
        using var build = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet build");
        var output = await build.StandardOutput.ReadToEndAsync(cancel);
        await build.WaitForExitAsync(cancel);
        if (build.ExitCode != 0)
            throw new InvalidOperationException($"dotnet build src/Workq.Host failed ({build.ExitCode}):\n{output}");
    }

    /// <summary>
    /// A fresh Workq host, with <paramref name="extraArgs"/> (command-log flags) after its
    /// address, and <paramref name="environment"/> added to its environment (GC settings, say).
    /// </summary>
    public static Task<ServerProcess> StartWorkqAsync(
        string repoRoot, IReadOnlyList<string> extraArgs, CancellationToken cancel,
        IReadOnlyDictionary<string, string>? environment = null, string? exe = null)
    {
        var port = FreePort();
        return StartAsync(exe ?? WorkqExe(repoRoot), WorkqArgs(port, extraArgs), port, cancel, environment);
    }

    /// <summary>A Workq host on client port <paramref name="port"/> (a cluster member, started again on the same one).</summary>
    public static Task<ServerProcess> StartWorkqOnAsync(string repoRoot, int port, IReadOnlyList<string> extraArgs, CancellationToken cancel) =>
        StartAsync(WorkqExe(repoRoot), [$"--listen", $"127.0.0.1:{port}", .. extraArgs], port, cancel);

    /// <summary>
    /// A fresh Workq host whose HTTP side listens on a port of its own, polled until it is
    /// disposed by each of <paramref name="pollers"/> (<see cref="HttpPoller.Metrics"/>, say).
    /// </summary>
    public static async Task<ServerProcess> StartWorkqPolledAsync(
        string repoRoot, IReadOnlyList<string> extraArgs, IReadOnlyList<Func<IPEndPoint, HttpPoller>> pollers, CancellationToken cancel,
        IReadOnlyDictionary<string, string>? environment = null, string? exe = null)
    {
        var http = new IPEndPoint(IPAddress.Loopback, FreePort());
        var server = await StartWorkqAsync(repoRoot, ["--http-listen", http.ToString(), .. extraArgs], cancel, environment, exe);
        foreach (var poller in pollers)
            server.pollers.Add(poller(http));
        return server;
    }

    /// <summary>
    /// A fresh Workq host, started but not waited for: the caller times its start-up
    /// itself, from <see cref="LaunchedAt"/>.
    /// </summary>
    public static ServerProcess LaunchWorkq(string repoRoot, IReadOnlyList<string> extraArgs) => Launch(WorkqExe(repoRoot), extraArgs);

    /// <summary>The JIT build's program, as <see cref="BuildWorkqAsync"/> leaves it.</summary>
    public static string WorkqExe(string repoRoot) => Path.Combine(repoRoot, "src", "Workq.Host", "bin", "Release", "net10.0", "workq-server");

    /// <summary>A Workq server program <paramref name="exe"/> on a free port, started but not waited for.</summary>
    public static ServerProcess Launch(string exe, IReadOnlyList<string> extraArgs)
    {
        var port = FreePort();
        return Launch(exe, WorkqArgs(port, extraArgs), port);
    }

    /// <summary>A Workq server program <paramref name="exe"/> on a free port, once it accepts connections.</summary>
    public static Task<ServerProcess> StartAsync(string exe, IReadOnlyList<string> extraArgs, CancellationToken cancel)
    {
        var port = FreePort();
        return StartAsync(exe, WorkqArgs(port, extraArgs), port, cancel);
    }

    /// <summary>
    /// A Workq server's flags: its job port, and its HTTP side on a free port of its own
    /// unless <paramref name="extraArgs"/> name one: the default port would be taken by
    /// a server still exiting, or by anyone else's server.
    /// </summary>
    static string[] WorkqArgs(int port, IReadOnlyList<string> extraArgs) =>
        extraArgs.Contains("--http-listen")
            ? ["--listen", $"127.0.0.1:{port}", .. extraArgs]
            : ["--listen", $"127.0.0.1:{port}", "--http-listen", $"127.0.0.1:{FreePort()}", .. extraArgs];

    public static Task<ServerProcess> StartBeanstalkdAsync(string exe, CancellationToken cancel)
    {
        var port = FreePort();
        // -z: accept jobs as large as Workq does (1 MiB) rather than its default 64 KiB.
        return StartAsync(exe, ["-l", "127.0.0.1", "-p", port.ToString(), "-z", "1048576"], port, cancel);
    }

    /// <summary>The original Go Workq 0.2.0, in memory: it keeps a command log only when given -cmdlog-path.</summary>
    public static Task<ServerProcess> StartOriginalAsync(string exe, CancellationToken cancel)
    {
        var port = FreePort();
        return StartAsync(exe, ["-listen", $"127.0.0.1:{port}"], port, cancel);
    }

    static ServerProcess Launch(string exe, string[] args, int port, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        InlineCompletions.Restore(info.Environment);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        var launchedAt = Stopwatch.GetTimestamp();
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {exe}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // Not there, say: a one-line error rather than a stack trace.
            throw new InvalidOperationException($"could not start {exe}: {e.Message}", e);
        }
        var server = new ServerProcess(process, new IPEndPoint(IPAddress.Loopback, port)) { LaunchedAt = launchedAt };
        process.OutputDataReceived += (_, e) => server.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => server.Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    static async Task<ServerProcess> StartAsync(
        string exe, string[] args, int port, CancellationToken cancel, IReadOnlyDictionary<string, string>? environment = null)
    {
        var server = Launch(exe, args, port, environment);
        try
        {
            await server.WaitUntilListeningAsync(exe, cancel);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    void Remember(string? line)
    {
        if (line is null) return;
        lock (output)
        {
            output.Enqueue(line);
            if (output.Count > 20) output.Dequeue();
        }
    }

    /// <summary>
    /// Stops the server as an operator would: SIGTERM, then waits for it to exit (and
    /// kills it after <paramref name="patience"/>). Returns its exit code.
    /// </summary>
    public async Task<int> StopGracefullyAsync(TimeSpan patience, CancellationToken cancel)
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString()]))
                ?? throw new InvalidOperationException("could not run kill");
            await kill.WaitForExitAsync(cancel);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(patience);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(cancel);
                throw new InvalidOperationException($"the server did not stop within {patience.TotalSeconds:F0} s of SIGTERM: killed");
            }
        }
        return process.ExitCode;
    }

    async Task WaitUntilListeningAsync(string exe, CancellationToken cancel)
    {
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{exe} exited with {process.ExitCode}: {string.Join(" | ", output)}");
            try
            {
                using var probe = await Connection.ConnectAsync(EndPoint, cancel);
                return;
            }
            catch (IOException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(50, cancel);
            }
        }
    }

    /// <summary>
    /// SIGKILL, as a machine that dies: nothing of the server's shutdown runs. Returns
    /// once the signal is sent (the process is gone from then on, though the kernel may
    /// take a moment to reap it); <see cref="DisposeAsync"/> waits for its exit.
    /// </summary>
    public void Kill()
    {
        if (!process.HasExited) process.Kill();
    }

    /// <summary>A port the kernel just handed out, so most likely free for the server.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (HttpPoller poller in pollers)
            await poller.DisposeAsync();
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
