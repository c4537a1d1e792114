using System.Net;
using Workq.Host.Cluster;
using Workq.Domain;
using Workq.Host.CommandLog;
using Workq.Host.Network;
using Workq.Host.Security;

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

    public ClusterOptions Cluster { get; } = new();
    public ConnectionOptions Connections { get; } = new();

    public TlsOptions Tls { get; } = new();

    /// <summary>The file of named tokens clients authenticate with; null: no authentication.</summary>
    public string? AuthTokens { get; set; }

    /// <summary>Whether the server may listen where other machines reach it with neither tokens nor client certificates.</summary>
    public bool Insecure { get; set; }

    /// <summary>The payload and result bytes live jobs may hold; 0: half the memory available to the process.</summary>
    public long MaxStoredBytes { get; set; }

    /// <summary>
    /// The limits the core decides within. Half the memory by default: a job's bytes cost
    /// about 1.2 times their size in the heap at peak (see the README's figures), and the
    /// rest is left for connections and the collector.
    /// </summary>
    public Limits Limits() => new(MaxStoredBytes > 0 ? MaxStoredBytes : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2);
}
