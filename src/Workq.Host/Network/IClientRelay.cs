using System.Net.Sockets;

namespace Workq.Host.Network;

/// <summary>
/// Where an accepted client goes when this server is one member of a cluster: to this
/// server's engine while it serves, or, as bytes, to the member that does.
/// </summary>
internal interface IClientRelay
{
    /// <summary>
    /// Passes the client on to the member that serves clients and returns when the
    /// connection ends (or closes it when none serves for a while); returns false at once,
    /// with the socket untouched, when this server serves it itself.
    /// </summary>
    Task<bool> RelayAsync(Socket client, CancellationToken stopping);
}
