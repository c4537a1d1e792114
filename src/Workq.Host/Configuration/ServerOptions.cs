using System.Net;
using Workq.Host.CommandLog;

namespace Workq.Host.Configuration;

/// <summary>
/// What the server runs with: one property for each of <see cref="ServerFlags.All"/>,
/// holding its default until configuration says otherwise.
/// </summary>
internal sealed class ServerOptions
{
    /// <summary>Where to listen (the original server's <c>-listen</c>).</summary>
    public IPEndPoint Listen { get; set; } = new(IPAddress.Loopback, 9922);

    /// <summary>Where the HTTP side (health, metrics) listens; null: no HTTP port.</summary>
    public IPEndPoint? HttpListen { get; set; } = new(IPAddress.Loopback, 9923);

    /// <summary>How long a stop may take before the process ends anyway.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public CommandLogOptions CommandLog { get; } = new();
}
