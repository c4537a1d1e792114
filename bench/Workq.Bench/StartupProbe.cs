using System.Diagnostics;

namespace Workq.Bench;

/// <summary>
/// How long a server took from its launch to a TCP connection, and to its first answer;
/// and the processor time it had used when the connection was made (read just after).
/// </summary>
public sealed record Startup(double ConnectSeconds, double ReadySeconds, long Jobs, double ConnectCpuSeconds);

/// <summary>
/// Polls a just-launched Workq server: the time to its first accepted connection, and to
/// its answer to <c>inspect server</c> on it (ready). The host listens once its state is
/// restored, so a connection means it can answer; a server that listened earlier would
/// show the difference.
/// </summary>
public static class StartupProbe
{
    static readonly TimeSpan DefaultPollEvery = TimeSpan.FromMilliseconds(5);

    public static Task<Startup> WaitAsync(ServerProcess server, TimeSpan cap, CancellationToken cancel) =>
        WaitAsync(server, cap, DefaultPollEvery, cancel);

    public static async Task<Startup> WaitAsync(ServerProcess server, TimeSpan cap, TimeSpan pollEvery, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(cap);
        while (true)
        {
            if (server.HasExited)
                throw new InvalidOperationException($"the server exited while starting: {string.Join(" | ", server.RecentOutput)}");
            System.Net.Sockets.Socket socket;
            try
            {
                socket = await Connection.ConnectAsync(server.EndPoint, timeout.Token);
            }
            catch (IOException)
            {
                await Task.Delay(pollEvery, timeout.Token);
                continue;
            }
            using (socket)
            {
                var connected = Stopwatch.GetElapsedTime(server.LaunchedAt).TotalSeconds;
                var cpu = ProcStats.RunSeconds(server.Pid);
                var keys = await ServerInspector.InspectAsync(socket, timeout.Token);
                var ready = Stopwatch.GetElapsedTime(server.LaunchedAt).TotalSeconds;
                var jobs = keys.TryGetValue("jobs", out var j) && long.TryParse(j, out var n) ? n : -1;
                return new Startup(connected, ready, jobs, cpu);
            }
        }
    }
}
