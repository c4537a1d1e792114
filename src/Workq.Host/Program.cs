using Microsoft.Extensions.Hosting;
using Workq.Host.CommandLog;
using Workq.Host.CommandLog.Tools;

namespace Workq.Host;

public static class Program
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static async Task<int> Main(string[] args)
    {
        // Socket completions run on the socket engine's own thread instead of being queued
        // to the thread pool: with inline pipes and engine, a request is read, decided and
        // answered without a thread switch. Read when the first socket is created, so set
        // first; an explicit setting in the environment wins.
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        // The log tools only read files: no host, no lock, no listen socket.
        if (args is ["cmdlog", ..])
        {
            // Buffered: a dump of a large log is millions of lines.
            using var stdout = new StreamWriter(Console.OpenStandardOutput());
            return CmdlogTool.Run(args[1..], stdout, Console.Error);
        }
        IHost host;
        try
        {
            host = WorkqServer.Build(args);
        }
        catch (Exception e) when (e is ListenAddressException or CommandLogException or InvalidSettingException)
        {
            await Console.Error.WriteLineAsync($"workq-server: {e.Message}");
            return 2;
        }
        using (host)
            await host.RunAsync();
        return 0;
    }
}
