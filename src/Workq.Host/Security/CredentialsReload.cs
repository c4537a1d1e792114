using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace Workq.Host.Security;

/// <summary>
/// Reads the token file and the TLS files again on SIGHUP, and whenever something changes
/// in a directory that holds one of them: an edit in place, a file renamed over it (as
/// editors and <c>mv</c> do), or a link swapped (as Kubernetes does with mounted secrets).
/// Changes are gathered for a moment first, so that a certificate and its key replaced
/// one after the other are read as a pair. Connections stay open throughout. SIGHUP is
/// taken even with nothing to read, so that a reload (<c>systemctl reload</c>) never ends
/// the server.
/// </summary>
internal sealed class CredentialsReload(ServerTls tls, AuthTokens tokens) : IHostedService, IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(250);

    private readonly List<FileSystemWatcher> watchers = [];
    private PosixSignalRegistration? hangup;
    private Timer? soon;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Without a handler, SIGHUP would end the process.
        hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            ReloadAll();
        });
        var files = tls.Files.ToList();
        if (tokens.Path is { } tokenFile)
            files.Add(tokenFile);
        if (files.Count == 0)
            return Task.CompletedTask;
        soon = new Timer(_ => ReloadAll());
        foreach (string directory in files.Select(f => Path.GetDirectoryName(Path.GetFullPath(f))!).Distinct())
        {
            var watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Changed += (_, _) => Soon();
            watcher.Created += (_, _) => Soon();
            watcher.Renamed += (_, _) => Soon();
            watcher.Deleted += (_, _) => Soon();
            watcher.EnableRaisingEvents = true;
            watchers.Add(watcher);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        hangup?.Dispose();
        foreach (FileSystemWatcher watcher in watchers)
            watcher.Dispose();
        watchers.Clear();
        soon?.Dispose();
    }

    private void Soon() => soon?.Change(Quiet, Timeout.InfiniteTimeSpan);

    private void ReloadAll()
    {
        tokens.Reload();
        tls.Reload();
    }
}
