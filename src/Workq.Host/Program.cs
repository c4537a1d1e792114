using Microsoft.Extensions.Hosting;

namespace Workq.Host;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        IHost host;
        try
        {
            host = WorkqServer.Build(args);
        }
        catch (ListenAddressException e)
        {
            await Console.Error.WriteLineAsync($"workq-server: {e.Message}");
            return 2;
        }
        using (host)
            await host.RunAsync();
        return 0;
    }
}
