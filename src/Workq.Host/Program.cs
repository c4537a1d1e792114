using System.Net.Sockets;
using Microsoft.Extensions.Hosting;

namespace Workq.Host;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            using IHost host = WorkqServer.CreateBuilder(args).Build();
            await host.RunAsync();
            return 0;
        }
        catch (ListenAddressException e)
        {
            await Console.Error.WriteLineAsync($"workq-server: {e.Message}");
            return 2;
        }
        catch (SocketException e)
        {
            await Console.Error.WriteLineAsync($"workq-server: cannot listen: {e.Message}");
            return 1;
        }
    }
}
