using System.Net;

namespace Workq.Bench;

/// <summary>
/// <c>--scrape-metrics</c>: GETs a Workq server's <c>/metrics</c> once a second, as a
/// Prometheus server would, for as long as the server is measured, so that the
/// measurement includes what collecting the metrics costs the server.
/// </summary>
public sealed class MetricsScraper : IAsyncDisposable
{
    static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    readonly CancellationTokenSource stop = new();
    readonly Task loop;

    public MetricsScraper(IPEndPoint httpEndPoint) => loop = ScrapeAsync(new Uri($"http://{httpEndPoint}/metrics"));

    /// <summary>Scrapes answered with 200, and the bytes of the last one.</summary>
    public int Scrapes { get; private set; }
    public int Failures { get; private set; }
    public long LastBytes { get; private set; }

    async Task ScrapeAsync(Uri url)
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            do
            {
                try
                {
                    var body = await http.GetByteArrayAsync(url, stop.Token);
                    Scrapes++;
                    LastBytes = body.Length;
                }
                catch (HttpRequestException)
                {
                    Failures++;
                }
            }
            while (await timer.WaitForNextTickAsync(stop.Token));
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
        Console.Error.WriteLine($"scraped /metrics {Scrapes} times ({Failures} failed), {LastBytes} bytes each");
    }
}
