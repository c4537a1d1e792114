using Microsoft.Extensions.Hosting;
using Workq.Host.CommandLog;
using Workq.Host.CommandLog.Tools;

namespace Workq.Host;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
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
