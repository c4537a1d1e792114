using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Workq.Host.Network;

/// <summary>
/// Binds the sockets the server listens on: the job port's and the HTTP side's. An address
/// in use is tried again for a short while: a server started again right after it was
/// killed finds its ports still held for as long as the kernel takes to end the old
/// process. An address still in use after that belongs to someone else, and the start
/// fails with <see cref="ListenAddressException"/>.
/// </summary>
internal static class ListenSocket
{
    /// <summary>How long an address in use is tried again.</summary>
    public static readonly TimeSpan InUsePatience = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// A TCP socket bound to <paramref name="endPoint"/>, not yet listening;
    /// <paramref name="flag"/> names the setting in the error (null for the job port's).
    /// </summary>
    public static async Task<Socket> BindAsync(IPEndPoint endPoint, string? flag, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (endPoint.Address.Equals(IPAddress.IPv6Any))
                    socket.DualMode = true;
                socket.Bind(endPoint);
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse
                                            && Stopwatch.GetElapsedTime(start) < InUsePatience)
            {
                socket.Dispose();
            }
            catch (SocketException e)
            {
                socket.Dispose();
                string named = flag is null ? "" : $" ({flag})";
                throw new ListenAddressException($"cannot listen on {endPoint}{named}: {e.Message}", e);
            }
            await Task.Delay(RetryEvery, cancellationToken);
        }
    }
}
