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
await builder.Build().RunAsync();
