/// The hosted worker (Workq.Client.Hosting) in a real generic host, against the real
/// server (a fresh one per test).
module Workq.Tests.WorkerTests

open System
open System.Collections.Concurrent
open System.Net
open System.Net.Sockets
open System.Threading
open System.Threading.Tasks
open Expecto
open Microsoft.Extensions.Configuration
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Hosting
open Microsoft.Extensions.Logging
open Microsoft.Extensions.Options
open Workq.Client
open Workq.Client.Hosting
open Workq.Tests.ClientFixtures
open Workq.Tests.ClientTests
open Workq.Tests.IntegrationTests

// ---------------------------------------------------------------------------
// Helpers

/// Collects what the host logs, to check that the worker tells what it did.
type LogSink() =
    let lines = ConcurrentQueue<LogLevel * string>()

    /// Every line so far, with its level.
    member _.Lines = List.ofSeq lines

    /// Whether a line at `level` contains every one of `parts`.
    member _.Has(level: LogLevel, [<ParamArray>] parts: string[]) =
        lines |> Seq.exists (fun (l, text) -> l = level && parts |> Array.forall (fun p -> text.Contains p))

    interface ILoggerProvider with
        member _.CreateLogger _ =
            { new ILogger with
                member _.BeginScope _ = null
                member _.IsEnabled _ = true
                member _.Log(level, _, state, error, formatter) = lines.Enqueue((level, formatter.Invoke(state, error))) }

        member _.Dispose() = ()

/// A generic host as an application would build one: the client's settings come from
/// configuration ("Workq:Server"), then `configure` adds the workers. Defaults (appsettings,
/// environment) are off so that nothing around the test changes it.
let workerHost (ep: IPEndPoint) (sink: LogSink) (shutdownTimeout: TimeSpan) (configure: HostApplicationBuilder -> unit) : IHost =
    let builder = Host.CreateApplicationBuilder(HostApplicationBuilderSettings(DisableDefaults = true))
    builder.Configuration.AddInMemoryCollection(dict [ "Workq:Server", addressOf ep ]) |> ignore
    builder.Logging.ClearProviders().AddProvider(sink).SetMinimumLevel(LogLevel.Debug) |> ignore
    builder.Services.AddWorkqClient(builder.Configuration.GetSection "Workq") |> ignore
    builder.Services.Configure<HostOptions>(fun (o: HostOptions) -> o.ShutdownTimeout <- shutdownTimeout) |> ignore
    configure builder
    builder.Build()

type Handler = Func<LeasedJob, CancellationToken, Task<JobOutput>>

let handler (f: LeasedJob -> CancellationToken -> Task<JobOutput>) = Handler(fun job ct -> f job ct)

let text (s: string) = JobOutput.FromText s

/// Waits up to 10 s for a task the test expects; fails the test if it does not come.
let within10s (what: string) (t: Task) : Task<unit> =
    task {
        let! first = Task.WhenAny(t, Task.Delay(seconds 10.0))
        if not (obj.ReferenceEquals(first, t)) then
            failtestf "not within 10 s: %s" what
    }

/// A scoped service that a class handler takes: one per job, disposed with its scope.
type Probe() =
    static let made = ref 0
    static let disposed = ref 0
    let number = Interlocked.Increment(&made.contents)
    member _.Number = number
    static member Disposed = disposed.Value

    interface IDisposable with
        member _.Dispose() = Interlocked.Increment(&disposed.contents) |> ignore

/// A class handler: answers with the number of the probe its scope gave it.
type ProbeHandler(probe: Probe) =
    interface IWorkqJobHandler with
        member _.HandleAsync(job, _) = Task.FromResult(text $"{job.PayloadText} by probe {probe.Number}")

// ---------------------------------------------------------------------------
// Tests

let processing =
    testList "processing" [
        serverTest "1,000 jobs with concurrency 8: each handled exactly once and completed with its result" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let seen = ConcurrentDictionary<Guid, int>()
                let work =
                    handler (fun job _ ->
                        seen.AddOrUpdate(job.Id, 1, fun _ n -> n + 1) |> ignore
                        Task.FromResult(text $"done {job.PayloadText}"))
                use host = workerHost ep sink (seconds 10.0) (fun b -> b.Services.AddWorkqWorker("many", work, fun o -> o.Concurrency <- 8) |> ignore)
                do! host.StartAsync()
                // A long TTR: on a loaded machine no job may time out and come back.
                let! ids =
                    task {
                        let ids = ResizeArray()
                        for i in 1..1000 do
                            let! id = client.AddAsync(Bg.Job("many", string i, ttr = seconds 60.0))
                            ids.Add((id, i))
                        return ids
                    }
                for id, i in ids do
                    let! result = client.ResultAsync(id, seconds 30.0)
                    Expect.isTrue result.Success $"job {i} completed"
                    Expect.equal result.ResultText $"done {i}" $"job {i}'s result"
                do! host.StopAsync()
                Expect.equal seen.Count 1000 "every job reached the handler"
                let twice = seen |> Seq.filter (fun kv -> kv.Value <> 1) |> Seq.length
                Expect.equal twice 0 "no job reached it twice"
                let! info = client.InspectJobAsync(fst ids[0])
                Expect.equal (info.State, info.Attempts) (JobState.Completed, 1) "one attempt, completed"
            })

        serverTest "never more than Concurrency handlers at once, nor jobs leased (Concurrency bound from configuration)" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let running = ref 0
                let most = ref 0
                let work =
                    handler (fun _ ct ->
                        task {
                            let now = Interlocked.Increment(&running.contents)
                            let mutable seen = most.Value
                            while now > seen && Interlocked.CompareExchange(&most.contents, now, seen) <> seen do
                                seen <- most.Value
                            do! Task.Delay(millis 60.0, ct)
                            Interlocked.Decrement(&running.contents) |> ignore
                            return JobOutput.Empty
                        })
                use host =
                    workerHost ep sink (seconds 10.0) (fun b ->
                        b.Configuration.AddInMemoryCollection(dict [ "Workers:limited:Concurrency", "3" ]) |> ignore
                        b.Services.Configure<WorkqWorkerOptions>("limited", b.Configuration.GetSection "Workers:limited") |> ignore
                        b.Services.AddWorkqWorker("limited", work) |> ignore)
                let! ids =
                    task {
                        let ids = ResizeArray()
                        for i in 1..30 do
                            let! id = client.AddAsync(Bg.Job("limited", string i, ttr = seconds 60.0))
                            ids.Add id
                        return ids
                    }
                do! host.StartAsync()
                // What the server sees: a job counts as leased until it is completed.
                let mutable mostLeased = 0
                let mutable finished = false
                while not finished do
                    // Zeros once every job is done and the queue is gone.
                    let! q = client.InspectQueueAsync "limited"
                    mostLeased <- max mostLeased q.LeasedLength
                    finished <- q.ReadyLength = 0 && q.LeasedLength = 0
                    do! Task.Delay 10
                for id in ids do
                    let! result = client.ResultAsync(id, seconds 30.0)
                    Expect.isTrue result.Success "completed"
                do! host.StopAsync()
                Expect.isLessThanOrEqual most.Value 3 "handlers at once"
                Expect.isGreaterThanOrEqual most.Value 1 "handlers ran"
                Expect.isLessThanOrEqual mostLeased 3 "jobs leased at once"
            })

        serverTest "a class handler is resolved from a new scope for every job" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let disposedBefore = Probe.Disposed
                use host =
                    workerHost ep sink (seconds 10.0) (fun b ->
                        b.Services.AddScoped<Probe>() |> ignore
                        b.Services.AddWorkqWorker<ProbeHandler>("scoped", fun o -> o.Concurrency <- 2) |> ignore)
                do! host.StartAsync()
                let! ids =
                    task {
                        let ids = ResizeArray()
                        for i in 1..5 do
                            let! id = client.AddAsync(Bg.Job("scoped", $"job {i}"))
                            ids.Add id
                        return ids
                    }
                let probes = ResizeArray()
                for id in ids do
                    let! result = client.ResultAsync(id, seconds 10.0)
                    Expect.isTrue result.Success "completed"
                    Expect.stringContains result.ResultText "by probe" "answered by the handler"
                    probes.Add(result.ResultText.Substring(result.ResultText.IndexOf "by probe"))
                do! host.StopAsync()
                Expect.equal (Seq.length (Seq.distinct probes)) 5 "a probe, so a scope, of its own for every job"
                // Probes are shared with nothing else: other tests do not use them.
                Expect.isGreaterThanOrEqual (Probe.Disposed - disposedBefore) 5 "each disposed with its scope"
            })
    ]

let failures =
    testList "failures" [
        serverTest "a throwing handler fails its job with the exception's message on one line; too large a result fails it too" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let throwing =
                    handler (fun job _ ->
                        task {
                            do! Task.Yield()
                            if job.PayloadText = "huge" then
                                raise (InvalidOperationException(String('x', 2 * 1024 * 1024)))
                            raise (InvalidOperationException("could not resize:\r\nthe image is corrupt\nat line 3"))
                            return JobOutput.Empty
                        })
                let tooLarge = handler (fun _ _ -> Task.FromResult(JobOutput(Array.zeroCreate<byte> (1024 * 1024 + 1))))
                use host =
                    workerHost ep sink (seconds 10.0) (fun b ->
                        b.Services.AddWorkqWorker("throwing", throwing, fun o -> o.Concurrency <- 2)
                                  .AddWorkqWorker("too-large", tooLarge, fun o -> o.Concurrency <- 1) |> ignore)
                do! host.StartAsync()
                let! thrown = client.AddAsync(Bg.Job("throwing", "image"))
                let! huge = client.AddAsync(Bg.Job("throwing", "huge"))
                let! big = client.AddAsync(Bg.Job("too-large", "image"))

                let! result = client.ResultAsync(thrown, seconds 10.0)
                Expect.isFalse result.Success "failed"
                Expect.equal result.ResultText "could not resize: the image is corrupt at line 3" "the message, on one line"
                let! info = client.InspectJobAsync thrown
                Expect.equal (info.State, info.Fails) (JobState.Failed, 1) "one fail, final"

                let! result = client.ResultAsync(huge, seconds 10.0)
                Expect.isFalse result.Success "failed"
                Expect.equal result.Result.Length (1024 * 1024) "a long message is cut to the protocol's limit"

                let! result = client.ResultAsync(big, seconds 10.0)
                Expect.isFalse result.Success "failed"
                Expect.stringContains result.ResultText "1048577 bytes" "says why"
                do! host.StopAsync()
                Expect.isTrue (sink.Has(LogLevel.Warning, string thrown, "could not resize")) "the failure is logged"
            })

        serverTest "without lease extension, a hung handler is cancelled before its TTR ends, not reported, and the job's retry succeeds" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let calls = ref 0
                let cancelled = TaskCompletionSource()
                let work =
                    handler (fun _ ct ->
                        task {
                            if Interlocked.Increment(&calls.contents) = 1 then
                                // Hung: it only ends when its token is cancelled.
                                use _ = ct.Register(fun () -> cancelled.TrySetResult() |> ignore)
                                do! Task.Delay(Timeout.InfiniteTimeSpan, ct)
                            return text "second attempt"
                        })
                use host =
                    workerHost ep sink (seconds 10.0) (fun b ->
                        b.Services.AddWorkqWorker("hung", work, fun o ->
                            o.Concurrency <- 2
                            o.LeaseWait <- seconds 1.0
                            o.TtrMargin <- millis 500.0
                            o.ExtendLeases <- false) |> ignore)
                do! host.StartAsync()
                let! id = client.AddAsync(Bg.Job("hung", "x", ttr = seconds 2.0))
                do! within10s "the hung handler's token is cancelled" cancelled.Task
                let! result = client.ResultAsync(id, seconds 15.0)
                Expect.isTrue result.Success "completed at last"
                Expect.equal result.ResultText "second attempt" "by the second attempt, not reported after the first"
                let! info = client.InspectJobAsync id
                Expect.equal (info.Attempts, info.Fails) (2, 0) "two leases, no fail"
                Expect.equal calls.Value 2 "the handler ran twice"
                do! host.StopAsync()
                Expect.isTrue (sink.Has(LogLevel.Warning, string id, "TTR")) "the cancellation is logged"
            })

        serverTest "connection trouble: leasing is retried with a back-off, and the worker carries on" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                use relay = new Relay(ep)
                let sink = new LogSink()
                let work = handler (fun job _ -> Task.FromResult(text $"done {job.PayloadText}"))
                use host =
                    workerHost ep sink (seconds 10.0) (fun b ->
                        // The worker's client goes through the relay, which can cut its connections.
                        b.Services.Configure<WorkqClientOptions>(fun (o: WorkqClientOptions) -> o.Server <- relay.Address) |> ignore
                        b.Services.AddWorkqWorker("flaky", work, fun o ->
                            o.Concurrency <- 1
                            o.RetryDelay <- millis 100.0
                            o.MaxRetryDelay <- millis 400.0) |> ignore)
                do! host.StartAsync()
                do! workersAre client "flaky" 1 // the worker's lease is waiting
                relay.CutAll()
                do! eventually 10000 "the failed lease is logged" (fun () ->
                    Task.FromResult(sink.Has(LogLevel.Warning, "Leasing from flaky failed")))
                let! id = client.AddAsync(Bg.Job("flaky", "after"))
                let! result = client.ResultAsync(id, seconds 15.0)
                Expect.equal result.ResultText "done after" "handled after the trouble"
                do! host.StopAsync()
            })

        testCaseAsync "no server: the host starts, logs the failed leases and stops cleanly" (async {
            let sink = new LogSink()
            // A port nobody listens on: bound for a moment, then let go.
            let probe = new TcpListener(IPAddress.Loopback, 0)
            probe.Start()
            let port = (probe.LocalEndpoint :?> IPEndPoint).Port
            probe.Stop()
            use host =
                workerHost (IPEndPoint(IPAddress.Loopback, port)) sink (seconds 10.0) (fun b ->
                    b.Services.AddWorkqWorker("nowhere", handler (fun _ _ -> Task.FromResult JobOutput.Empty), fun o ->
                        o.RetryDelay <- millis 50.0
                        o.MaxRetryDelay <- millis 200.0) |> ignore)
            do! host.StartAsync() |> Async.AwaitTask
            do! eventually 10000 "two failed leases are logged" (fun () ->
                    Task.FromResult(sink.Lines |> List.filter (fun (l, t) -> l = LogLevel.Warning && t.Contains "Leasing from nowhere failed") |> List.length >= 2))
                |> Async.AwaitTask
            do! host.StopAsync() |> within10s "the host stops" |> Async.AwaitTask
            Expect.isTrue (sink.Has(LogLevel.Information, "Workq worker for nowhere stopped")) "the worker stopped"
        })
    ]

let shutdown =
    testList "shutdown" [
        serverTest "stopping lets a running handler finish and report, and leases nothing more" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let started = TaskCompletionSource()
                let handled = ConcurrentQueue<string>()
                let work =
                    handler (fun job ct ->
                        task {
                            handled.Enqueue job.PayloadText
                            started.TrySetResult() |> ignore
                            do! Task.Delay(seconds 1.0, ct) // fails the job if the token is cancelled
                            return text $"finished {job.PayloadText}"
                        })
                use host =
                    workerHost ep sink (seconds 20.0) (fun b ->
                        // Two slots: while the first job runs, a lease waits in the other.
                        b.Services.AddWorkqWorker("slow", work, fun o ->
                            o.Concurrency <- 2
                            o.LeaseWait <- seconds 30.0) |> ignore)
                do! host.StartAsync()
                let! running = client.AddAsync(Bg.Job("slow", "first", ttr = seconds 30.0))
                do! within10s "the handler starts" started.Task
                let stopping = host.StopAsync()
                // Stopping withdraws the waiting lease (long before its 30 s are up)...
                do! eventually 10000 "no lease waits on the queue" (fun () ->
                    task {
                        let! q = client.InspectQueueAsync "slow" // exists: the first job is leased
                        return q.Workers = Nullable 0
                    })
                // ...so a job added now is not taken.
                let! later = client.AddAsync(Bg.Job("slow", "second", ttr = seconds 30.0))
                do! stopping |> within10s "the host stops"
                let! result = client.ResultAsync(running, TimeSpan.Zero)
                Expect.isTrue result.Success "the running job completed"
                Expect.equal result.ResultText "finished first" "with the handler's result"
                let! info = client.InspectJobAsync later
                Expect.equal (info.State, info.Attempts) (JobState.New, 0) "the later job was never leased"
                Expect.sequenceEqual handled [ "first" ] "the handler saw the first job only"
            })

        serverTest "a handler still running when the shutdown timeout ends is cancelled, and its job left leased" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let started = TaskCompletionSource()
                let cancelled = TaskCompletionSource()
                let work =
                    handler (fun _ ct ->
                        task {
                            use _ = ct.Register(fun () -> cancelled.TrySetResult() |> ignore)
                            started.TrySetResult() |> ignore
                            do! Task.Delay(Timeout.InfiniteTimeSpan, ct)
                            return text "never"
                        })
                use host =
                    workerHost ep sink (millis 500.0) (fun b -> b.Services.AddWorkqWorker("stuck", work, fun o -> o.Concurrency <- 1) |> ignore)
                do! host.StartAsync()
                let! id = client.AddAsync(Bg.Job("stuck", "x", ttr = seconds 60.0))
                do! within10s "the handler starts" started.Task
                do! host.StopAsync() |> within10s "the host stops"
                do! within10s "the handler's token is cancelled" cancelled.Task
                // The worker reports nothing for a cancelled job: it waits out its TTR on the server.
                do! Task.Delay(millis 200.0)
                let! info = client.InspectJobAsync id
                Expect.equal (info.State, info.Attempts) (JobState.Leased, 1) "still leased, not failed"
                Expect.isTrue (sink.Has(LogLevel.Warning, "shutdown timeout", "stuck")) "logged"
            })
    ]

/// A stand-in for the server behind IWorkqClient: hands out `jobs` once each, then has
/// nothing (a lease waits its wait out), and records how each job was reported.
type FakeClient(jobs: LeasedJob list) =
    let pending = ConcurrentQueue<LeasedJob>(jobs)
    let reports = ConcurrentQueue<Guid * string * TimeSpan option>()

    let lease (wait: TimeSpan) (ct: CancellationToken) : Task<LeasedJob | null> =
        task {
            match pending.TryDequeue() with
            | true, job -> return job
            | _ ->
                do! Task.Delay(wait, ct)
                return null
        }

    let report id how retryIn : Task =
        reports.Enqueue((id, how, retryIn))
        Task.CompletedTask

    /// Each report: the job, "complete" or "fail", and the retry-in of a fail that had one.
    member _.Reports = List.ofSeq reports

    interface IWorkqClient with
        member _.Server = "fake:9922"
        member _.LeaseAsync(_: string, wait: TimeSpan, ct: CancellationToken) = lease wait ct
        member _.LeaseAsync(_: Collections.Generic.IEnumerable<string>, wait: TimeSpan, ct: CancellationToken) = lease wait ct
        member _.CompleteAsync(id: Guid, _: ReadOnlyMemory<byte>, _: CancellationToken) = report id "complete" None
        member _.CompleteAsync(id: Guid, _: string, _: CancellationToken) = report id "complete" None
        member _.FailAsync(id: Guid, _: ReadOnlyMemory<byte>, _: CancellationToken) = report id "fail" None
        member _.FailAsync(id: Guid, _: string, _: CancellationToken) = report id "fail" None
        member _.FailAsync(id: Guid, _: ReadOnlyMemory<byte>, retryIn: TimeSpan, _: CancellationToken) = report id "fail" (Some retryIn)
        member _.FailAsync(id: Guid, _: string, retryIn: TimeSpan, _: CancellationToken) = report id "fail" (Some retryIn)
        member _.TouchAsync(_, _, _) = Task.CompletedTask
        member _.AddAsync(_, _) = raise (NotSupportedException())
        member _.ScheduleAsync(_, _) = raise (NotSupportedException())
        member _.RunAsync(_, _) = raise (NotSupportedException())
        member _.ResultAsync(_, _, _) = raise (NotSupportedException())
        member _.DeleteAsync(_, _) = raise (NotSupportedException())
        member _.RequeueAsync(_, _, _) = raise (NotSupportedException())
        member _.RequeueFailedAsync(_, _, _) = raise (NotSupportedException())
        member _.RecurAsync(_, _) = raise (NotSupportedException())
        member _.UnrecurAsync(_, _) = raise (NotSupportedException())
        member _.InspectJobAsync(_, _) = raise (NotSupportedException())
        member _.InspectJobsAsync(_, _, _, _) = raise (NotSupportedException())
        member _.InspectScheduledJobsAsync(_, _, _, _) = raise (NotSupportedException())
        member _.InspectQueueAsync(_, _) = raise (NotSupportedException())
        member _.InspectQueuesAsync(_, _, _) = raise (NotSupportedException())
        member _.InspectFailedJobsAsync(_, _, _, _) = raise (NotSupportedException())
        member _.InspectRecurringAsync(_, _, _) = raise (NotSupportedException())
        member _.InspectServerAsync(_) = raise (NotSupportedException())
        member _.Dispose() = ()
        member _.DisposeAsync() = ValueTask.CompletedTask

let longAndRetried =
    testList "long jobs and retries" [
        serverTest "a handler that runs past its TTR keeps its job: the worker touches it, and the handler's token holds" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let work =
                    handler (fun _ ct ->
                        task {
                            // Three TTRs: cancelled at the first deadline unless the lease is extended.
                            do! Task.Delay(seconds 3.0, ct)
                            return text "done"
                        })
                use host =
                    workerHost ep sink (seconds 10.0) (fun b ->
                        b.Services.AddWorkqWorker("long", work, fun o ->
                            o.Concurrency <- 1
                            o.LeaseWait <- seconds 1.0
                            o.TtrMargin <- millis 200.0) |> ignore)
                do! host.StartAsync()
                let! id = client.AddAsync(Bg.Job("long", "x", ttr = seconds 1.0))
                let! result = client.ResultAsync(id, seconds 15.0)
                Expect.equal (result.Success, result.ResultText) (true, "done") "completed by its first attempt"
                let! info = client.InspectJobAsync id
                Expect.equal info.Attempts 1 "one lease, extended"
                do! host.StopAsync()
                Expect.isTrue (sink.Has(LogLevel.Debug, string id, "touched")) "the touches are logged"
            })

        serverTest "a touch that finds the lease gone cancels the handler, and the job is not reported" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let cancelled = TaskCompletionSource()
                let work =
                    handler (fun _ ct ->
                        task {
                            use _ = ct.Register(fun () -> cancelled.TrySetResult() |> ignore)
                            do! Task.Delay(Timeout.InfiniteTimeSpan, ct)
                            return text "never"
                        })
                use host =
                    workerHost ep sink (seconds 10.0) (fun b ->
                        b.Services.AddWorkqWorker("gone", work, fun o -> o.LeaseWait <- seconds 1.0) |> ignore)
                do! host.StartAsync()
                let! id = client.AddAsync(Bg.Job("gone", "x", ttr = seconds 2.0))
                do! eventually 10000 "the job is leased" (fun () ->
                    task {
                        let! info = client.InspectJobAsync id
                        return info.State = JobState.Leased
                    })
                do! client.DeleteAsync id
                do! within10s "the handler is cancelled at the next touch" cancelled.Task
                do! eventually 10000 "the lost lease is logged" (fun () ->
                    task { return sink.Has(LogLevel.Warning, string id, "no longer leased") })
                do! host.StopAsync()
                Expect.isFalse (sink.Has(LogLevel.Warning, string id, "TTR")) "no TTR deadline is claimed"
            })

        serverTest "a retryable exception fails the job with a wait before its retry, over the wire" (fun ep ->
            task {
                use client = new WorkqClient(addressOf ep)
                let sink = new LogSink()
                let work = handler (fun _ _ -> task { return raise (TimeoutException "the downstream timed out") })
                use host =
                    workerHost ep sink (seconds 10.0) (fun b ->
                        b.Services.AddWorkqWorker("flaky-downstream", work, fun o ->
                            o.LeaseWait <- seconds 1.0
                            o.RetryOn.Add typeof<TimeoutException>
                            o.RetryBackoff <- TimeSpan.FromHours 1.0) |> ignore)
                do! host.StartAsync()
                let! id = client.AddAsync(Bg.Job("flaky-downstream", "x", maxFails = 3, ttl = TimeSpan.FromDays 1.0))
                do! eventually 10000 "the job failed once" (fun () ->
                    task {
                        let! info = client.InspectJobAsync id
                        return info.Fails = 1
                    })
                let! info = client.InspectJobAsync id
                Expect.equal info.State JobState.Pending "waiting for its retry"
                let wait = info.RetryAt.Value - DateTimeOffset.UtcNow
                Expect.isTrue (wait > TimeSpan.FromMinutes 45.0 && wait <= TimeSpan.FromMinutes 61.0) $"the worker's back-off, an hour at most: {wait}"
                do! host.StopAsync()
            })

        testCaseAsync "the retry's wait: RetryBackoff doubled per fail the job had, a WorkqRetryException's own, none for other exceptions" (async {
            let job payload fails = LeasedJob(Guid.CreateVersion7(), "q", seconds 60.0, bytes payload, Attempts = Nullable(fails + 1), Fails = Nullable fails)
            let timedOut, named, plain, retry = job "timeout" 3, job "named" 0, job "plain" 0, job "retry" 0
            let fake = new FakeClient([ timedOut; named; plain; retry ])
            let work =
                handler (fun j _ ->
                    task {
                        match j.PayloadText with
                        | "timeout" -> return raise (TimeoutException "slow")
                        | "named" -> return raise (WorkqRetryException("later", seconds 30.0))
                        | "plain" -> return raise (InvalidOperationException "broken")
                        | _ -> return raise (WorkqRetryException "again")
                    })
            let sink = new LogSink()
            use host =
                workerHost (IPEndPoint(IPAddress.Loopback, 9)) sink (seconds 5.0) (fun b ->
                    b.Services.AddSingleton<IWorkqClient>(fake) |> ignore
                    b.Services.AddWorkqWorker("q", work, fun o ->
                        o.LeaseWait <- millis 100.0
                        o.RetryOn.Add typeof<TimeoutException>
                        o.RetryBackoff <- seconds 1.0) |> ignore)
            do! task {
                    do! host.StartAsync()
                    do! eventually 10000 "four reports" (fun () -> task { return fake.Reports.Length = 4 })
                    do! host.StopAsync()
                    let retryIn (j: LeasedJob) =
                        match fake.Reports |> List.filter (fun (id, _, _) -> id = j.Id) with
                        | [ _, "fail", wait ] -> wait
                        | other -> failtestf "job %s: %A" j.PayloadText other
                    let between (low: float) (high: float) (wait: TimeSpan option) what =
                        match wait with
                        | Some w -> Expect.isTrue (w.TotalSeconds >= low && w.TotalSeconds <= high) $"{what}: {w}"
                        | None -> failtestf "%s: no retry-in" what
                    between 6.4 9.6 (retryIn timedOut) "1 s doubled three times, within a fifth"
                    Expect.equal (retryIn named) (Some(seconds 30.0)) "the exception's own"
                    Expect.equal (retryIn plain) None "a plain fail"
                    between 0.8 1.2 (retryIn retry) "a WorkqRetryException without a wait: the back-off"
                } |> Async.AwaitTask
        })
    ]

let registration =
    testList "registration" [
        testCase "one worker per queue; a queue name must be one word" (fun () ->
            let services = ServiceCollection()
            let work = handler (fun _ _ -> Task.FromResult JobOutput.Empty)
            services.AddWorkqWorker("q", work) |> ignore
            Expect.throwsT<ArgumentException> (fun () -> services.AddWorkqWorker("q", work) |> ignore) "a second worker for q"
            Expect.throwsT<ArgumentException> (fun () -> services.AddWorkqWorker("two words", work) |> ignore) "a bad name"
            services.AddWorkqWorker("r", work) |> ignore
            Expect.equal (services |> Seq.filter (fun d -> d.ServiceType = typeof<IHostedService>) |> Seq.length) 2 "two hosted workers")

        testCaseAsync "invalid options stop the host from starting" (async {
            let sink = new LogSink()
            use host =
                workerHost (IPEndPoint(IPAddress.Loopback, 9)) sink (seconds 5.0) (fun b ->
                    b.Services.AddWorkqWorker("q", handler (fun _ _ -> Task.FromResult JobOutput.Empty), fun o -> o.Concurrency <- 0) |> ignore)
            let! e = throwsAsync<OptionsValidationException> "starting" (fun () -> host.StartAsync()) |> Async.AwaitTask
            Expect.stringContains e.Message "Concurrency" "says what is wrong"
        })
    ]

[<Tests>]
let tests =
    testList "Workq.Client.Hosting" [ processing; failures; longAndRetried; shutdown; registration ]
