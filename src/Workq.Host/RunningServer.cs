using System.Net;
using Microsoft.Extensions.Hosting;

namespace Workq.Host;

/// <summary>A started server; disposing it stops the host.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    internal RunningServer(IHost host, IPEndPoint endPoint)
    {
        Host = host;
        EndPoint = endPoint;
    }

    /// <summary>The endpoint actually bound (port 0 resolved).</summary>
    public IPEndPoint EndPoint { get; }

    public IHost Host { get; }

    private int disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        try
        {
            await Host.StopAsync();
        }
        finally
        {
            if (Host is IAsyncDisposable asyncDisposable)
                await asyncDisposable.DisposeAsync();
            else
                Host.Dispose();
        }
    }
}
