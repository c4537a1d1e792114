using Workq.Client;
using Workq.Client.Hosting;

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddWorkqClient(builder.Configuration.GetSection("Workq"));
// A delegate: what it returns completes the job.
builder.Services.AddWorkqWorker("compress", async (job, ct) =>
{
    byte[] compressed = await Gzip.CompressAsync(job.Payload, ct);
    return compressed;                            // bytes; a string works too
}, o => o.Concurrency = 4);                       // default: one per processor
// A class, made in a DI scope of its own for each job (registered as scoped unless it already is).
builder.Services.AddWorkqWorker<ChecksumHandler>("checksum");
// A partner that may be down for a while: its job is retried after a wait that doubles.
builder.Services.AddWorkqWorker("call-partner", CallPartnerAsync, o =>
{
    o.RetryOn.Add(typeof(HttpRequestException));
    o.RetryBackoff = TimeSpan.FromSeconds(30);
});
await builder.Build().RunAsync();

// The payload is the partner's URL; its answer completes the job.
static async Task<JobOutput> CallPartnerAsync(LeasedJob job, CancellationToken ct)
{
    using var http = new HttpClient();
    return await http.GetStringAsync(job.PayloadText, ct);
}
