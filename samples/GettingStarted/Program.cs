// The README's "Using Workq from .NET", in its order: each block there is a piece of this
// file. Run it against a server: dotnet run --project samples/GettingStarted
using Workq.Client;

// The server's address: WORKQ_SERVER, as for the workq tool, or the default.
await using var client = new WorkqClient(Environment.GetEnvironmentVariable("WORKQ_SERVER") ?? "127.0.0.1:9922");

Guid id = await client.AddAsync(new BackgroundJob
{
    Name = "ping",
    Ttr = TimeSpan.FromSeconds(5),     // one lease lasts 5 s
    Ttl = TimeSpan.FromMinutes(1),     // the job and its result are kept a minute
    PayloadText = "ping",
    Priority = 10,                     // optional: higher first
    MaxAttempts = 3,                   // optional: at most 3 leases
    MaxFails = 1,                      // optional: the first fail is final
});

Guid report = await client.ScheduleAsync(new ScheduledJob
{
    Name = "report",
    Time = DateTimeOffset.UtcNow.AddHours(1),
    Ttr = TimeSpan.FromSeconds(30),
    Ttl = TimeSpan.FromDays(1),
    PayloadText = "daily",
});

LeasedJob? job = await client.LeaseAsync(["ping", "report"], TimeSpan.FromSeconds(60));
if (job is not null)
{
    Console.WriteLine($"leased {job.Name}: {job.PayloadText}");    // leased ping: ping
    if (job.PayloadText == "ping")
        await client.CompleteAsync(job.Id, "pong");               // the result; bytes work too
    else
        await client.FailAsync(job.Id, "expected ping");          // retried while below MaxFails
}

try
{
    JobResult outcome = await client.ResultAsync(id, TimeSpan.FromSeconds(60));
    Console.WriteLine($"success: {outcome.Success}, result: {outcome.ResultText}");   // success: True, result: pong
}
catch (WorkqTimeoutException) { /* not finished within the minute */ }
catch (WorkqNotFoundException) { /* no such job: never added, deleted, or expired */ }

// A worker for "echo", here beside the code that runs a job (usually another process).
Task worker = Task.Run(async () =>
{
    LeasedJob? echo = await client.LeaseAsync("echo", TimeSpan.FromSeconds(60));
    if (echo is not null)
        await client.CompleteAsync(echo.Id, echo.PayloadText.ToUpperInvariant());
});
JobResult result = await client.RunAsync(new ForegroundJob
{
    Name = "echo",
    Ttr = TimeSpan.FromSeconds(5),
    WaitTimeout = TimeSpan.FromSeconds(60),
    PayloadText = "hello",
});
Console.WriteLine($"success: {result.Success}, result: {result.ResultText}");   // success: True, result: HELLO
await worker;

JobInfo info = await client.InspectJobAsync(id);              // State, Attempts, Fails, Payload, RetryAt, ...
IReadOnlyList<JobInfo> ready = await client.InspectJobsAsync("ping", offset: 0, limit: 10);
QueueInfo queue = await client.InspectQueueAsync("report");   // ReadyLength, ScheduledLength, LeasedLength, Workers
IReadOnlyList<QueueInfo> queues = await client.InspectQueuesAsync();
ServerInfo server = await client.InspectServerAsync();        // ActiveClients, EvictedJobs, Started, ...
Console.WriteLine($"{info.State} after {info.Attempts} lease; ready in ping: {ready.Count}; "
    + $"scheduled in report: {queue.ScheduledLength}; queues: {queues.Count}");   // Completed after 1 lease; ready in ping: 0; scheduled in report: 1; queues: 1
await client.DeleteAsync(id);
await client.DeleteAsync(report);
