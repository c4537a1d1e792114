using System.Net;
using Microsoft.Extensions.Hosting;

namespace Workq.Host;

/// <summary>A started server; disposing it stops the host.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    internal RunningServer(IHost host, IPEndPoint endPoint, IPEndPoint? httpEndPoint)
    {
        Host = host;
        EndPoint = endPoint;
        HttpEndPoint = httpEndPoint;
    }

    /// <summary>The endpoint actually bound (port 0 resolved).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The HTTP side's endpoint (port 0 resolved); null when it is off (<c>-http-listen none</c>).</summary>
    public IPEndPoint? HttpEndPoint { get; }

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
