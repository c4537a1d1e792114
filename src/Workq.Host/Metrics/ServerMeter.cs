using System.Diagnostics.Metrics;
using Workq.Host.Configuration;

namespace Workq.Host.Metrics;

/// <summary>
/// The server's one <see cref="Meter"/>, <c>Workq.Server</c>: every instrument of the
/// server is made on it, and the exporters listen to it by that name.
/// </summary>
internal sealed class ServerMeter : IDisposable
{
    public const string Name = "Workq.Server";

    public Meter Meter { get; } = new(Name, ServerCommandLine.Version);

    public void Dispose() => Meter.Dispose();
}
