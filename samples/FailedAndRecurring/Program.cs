// Failed and recurring work from the README and doc/client.md, in their order: each block
// there is a piece of this file. Run it against a server: dotnet run --project samples/FailedAndRecurring
using System.Text.Json.Serialization;
using Workq.Client;

// The server's address: WORKQ_SERVER, as for the workq tool, or the default.
await using var client = new WorkqClient(Environment.GetEnvironmentVariable("WORKQ_SERVER") ?? "127.0.0.1:9922");

// A job that has failed for good, for the requeue below.
Guid someFailedId = await client.AddAsync(new BackgroundJob
{
    Name = "webhook", Ttr = TimeSpan.FromSeconds(10), Ttl = TimeSpan.FromDays(1), PayloadText = "{}", MaxFails = 1,
});
await client.LeaseAsync("webhook", TimeSpan.FromSeconds(30));
await client.FailAsync(someFailedId, "500 Internal Server Error");

await client.AddAsync(new BackgroundJob
{
    Name = "webhook", Ttr = TimeSpan.FromSeconds(10), Ttl = TimeSpan.FromDays(1),
    PayloadText = "{...}", MaxFails = 8,
    Backoff = TimeSpan.FromSeconds(30),                        // 30 s, 1 min, 2 min, ... (±20%, at most 1 h)
});

LeasedJob? job = await client.LeaseAsync("webhook", TimeSpan.FromSeconds(30));
// job.Attempts, job.Fails: this is attempt n, after m fails
await client.TouchAsync(job!.Id);                             // the lease starts again: another TTR
await client.FailAsync(job.Id, "429 Too Many Requests", retryIn: TimeSpan.FromMinutes(1));

foreach (FailedJobInfo failed in await client.InspectFailedJobsAsync("webhook"))
    Console.WriteLine($"{failed.Job.Id} failed at {failed.FailedAt}: {failed.ResultText}");
await client.RequeueAsync(someFailedId);                      // back in its queue, a new series of attempts
int requeued = await client.RequeueFailedAsync("webhook");    // all of them

await client.RecurAsync(new RecurringJob
{
    Key = "nightly-report", Name = "report", Cron = "0 2 * * *",
    Ttr = TimeSpan.FromMinutes(10), Ttl = TimeSpan.FromDays(1),
    Overlap = RecurringOverlap.Skip,                          // not while last night's is unfinished
});
await client.UnrecurAsync("nightly-report");

await client.RecurAsync(new RecurringJob
{
    Key = "nightly-report", Name = "report", Cron = "0 2 * * *",
    Ttr = TimeSpan.FromMinutes(10), Ttl = TimeSpan.FromDays(1),
    Overlap = RecurringOverlap.Skip,
});
await client.UnrecurAsync("nightly-report");

var order = new Order(42, "espresso");
await client.AddAsync(new BackgroundJob
{
    Name = "orders", Ttr = TimeSpan.FromSeconds(30), Ttl = TimeSpan.FromDays(1),
    Payload = WorkqJson.Serialize(order, AppJson.Default.Order),
});
LeasedJob orderJob = await client.LeaseAsync("orders", TimeSpan.FromSeconds(30))
    ?? throw new InvalidOperationException("no order to lease");
Order? fromQueue = await AddAndReadAsync(client, order, orderJob);
Console.WriteLine($"requeued {requeued}; order {fromQueue?.Id} of {fromQueue?.Item}");

static async Task<Order?> AddAndReadAsync(WorkqClient client, Order order, LeasedJob job)
{
    await client.AddAsync(new BackgroundJob
    {
        Name = "orders", Ttr = TimeSpan.FromSeconds(30), Ttl = TimeSpan.FromDays(1),
        Payload = WorkqJson.Serialize(order, AppJson.Default.Order),
    });
    Order? leased = job.PayloadAs(AppJson.Default.Order);
    return leased;
}

[JsonSerializable(typeof(Order))]
partial class AppJson : JsonSerializerContext;

record Order(int Id, string Item);
