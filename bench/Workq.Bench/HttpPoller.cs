using System.Net;

namespace Workq.Bench;

/// <summary>
/// GETs paths of a Workq server's HTTP side at a fixed interval for as long as the server
/// is measured, so that the measurement includes what serving them costs the server:
/// <c>--scrape-metrics</c> is a Prometheus server (<c>/metrics</c> every second),
/// <c>--dashboard</c> an open dashboard (what its overview and a queue's page poll, every
/// two seconds).
/// </summary>
public sealed class HttpPoller : IAsyncDisposable
{
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    readonly CancellationTokenSource stop = new();
    readonly string what;
    readonly Task loop;

    HttpPoller(IPEndPoint httpEndPoint, string what, TimeSpan every, IReadOnlyList<string> paths)
    {
        this.what = what;
        loop = PollAsync([.. paths.Select(p => new Uri($"http://{httpEndPoint}{p}"))], every);
    }

    /// <summary>A Prometheus server: <c>/metrics</c> once a second.</summary>
    public static HttpPoller Metrics(IPEndPoint http) => new(http, "/metrics", TimeSpan.FromSeconds(1), ["/metrics"]);

    /// <summary>
    /// An open dashboard, as its script polls: the overview's figures and queues table, and
    /// a page of <paramref name="queue"/>, every two seconds.
    /// </summary>
    public static HttpPoller Dashboard(IPEndPoint http, string queue) =>
        new(http, "the dashboard's API", TimeSpan.FromSeconds(2), ["/api/overview", "/api/queues", $"/api/queues/{Uri.EscapeDataString(queue)}"]);

    /// <summary>Rounds of GETs all answered with 200, those not, and the bytes of the last round.</summary>
    public int Polls { get; private set; }
    public int Failures { get; private set; }
    public long LastBytes { get; private set; }

    async Task PollAsync(Uri[] urls, TimeSpan every)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            // The first round a period after the start: the HTTP side starts just after the job port listens.
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                try
                {
                    long bytes = 0;
                    foreach (Uri url in urls)
                        bytes += (await http.GetByteArrayAsync(url, stop.Token)).Length;
                    Polls++;
                    LastBytes = bytes;
                }
                catch (HttpRequestException)
                {
                    Failures++;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        http.Dispose();
        stop.Dispose();
        Console.Error.WriteLine($"polled {what} {Polls} times ({Failures} failed), {LastBytes} bytes each");
    }
}
