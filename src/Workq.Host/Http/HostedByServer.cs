using Microsoft.Extensions.Hosting;

namespace Workq.Host.Http;

/// <summary>
/// The HTTP side's lifetime: the server's host owns the process (signals, systemd), and
/// starts and stops the HTTP side itself, so this one listens to nothing.
/// </summary>
internal sealed class HostedByServer : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
