/// Workq.Client against the real server (a fresh one per test), plus a relay that cuts
/// connections and a scripted server for replies the real one never sends.
module Workq.Tests.ClientTests

open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics
open System.Net
open System.Text
open System.Threading
open System.Threading.Tasks
open System.Text.Json
open System.Text.Json.Serialization
open Expecto
open Microsoft.Extensions.Configuration
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Options
open Workq.Client
open Workq.Host
open Workq.Tests.ClientFixtures
open Workq.Tests.IntegrationTests
open Workq.Tests.ServerFixture

// ---------------------------------------------------------------------------
// Helpers

let addressOf (ep: IPEndPoint) = $"127.0.0.1:{ep.Port}"

/// A test with a client of its own fresh server.
let withClient name (body: IPEndPoint -> WorkqClient -> Task<unit>) =
    serverTest name (fun ep ->
        task {
            use client = new WorkqClient(addressOf ep)
            do! body ep client
        })

let seconds (s: float) = TimeSpan.FromSeconds s
let millis (ms: float) = TimeSpan.FromMilliseconds ms

let bytes (s: string) = ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes s)

/// Background jobs for the tests: a TTR of 5 s and a TTL of a minute unless given.
/// (F# cannot copy a C# record with `with`, hence the optional arguments.)
type Bg =
    static member Job(name, payload: string, ?priority, ?maxAttempts, ?maxFails, ?ttr, ?ttl, ?id, ?data: byte[]) =
        BackgroundJob(
            Id = defaultArg id (Guid.CreateVersion7()),
            Name = name,
            Ttr = defaultArg ttr (seconds 5.0),
            Ttl = defaultArg ttl (seconds 60.0),
            Payload = (match data with
                       | Some d -> ReadOnlyMemory d
                       | None -> bytes payload),
            Priority = defaultArg priority 0,
            MaxAttempts = defaultArg maxAttempts 0,
            MaxFails = defaultArg maxFails 0
        )

let bgJob name payload = Bg.Job(name, payload)

/// The job a lease returned; fails the test on null (no job came).
let some (job: LeasedJob | null) : LeasedJob =
    match job with
    | null -> failtest "the lease returned no job"
    | j -> j

/// Runs `f` and returns the exception of type 'e it fails with; fails the test otherwise.
let throwsAsync<'e when 'e :> exn> (what: string) (f: unit -> Task) : Task<'e> =
    task {
        let! outcome =
            task {
                try
                    do! f ()
                    return None
                with e ->
                    return Some e
            }
        match outcome with
        | Some(:? 'e as e) -> return e
        | Some e -> return failtestf "%s: expected %s, got %s: %s" what typeof<'e>.Name (e.GetType().Name) e.Message
        | None -> return failtestf "%s: expected %s, but it succeeded" what typeof<'e>.Name
    }

/// Asserts that `f` fails with an exception of type 'e.
let expectThrows<'e when 'e :> exn> (what: string) (f: unit -> Task) : Task =
    task {
        let! _ = throwsAsync<'e> what f
        ()
    }

/// Asserts an error reply with the given code and text.
let expectReply (e: WorkqException) (code: string) (text: string | null) =
    Expect.equal e.Code code "error code"
    Expect.equal e.Text text "error text"

let clientErrorText (what: string) (f: unit -> Task) =
    task {
        let! e = throwsAsync<WorkqClientErrorException> what f
        Expect.equal e.Code "CLIENT-ERROR" $"{what}: code"
        return e.Text
    }

/// Whether `n` workers wait on queue `name` (a queue that is gone shows 0).
let workersAre (client: WorkqClient) name (n: int) =
    eventually 10000 $"{n} workers waiting on {name}" (fun () ->
        task {
            let! q = client.InspectQueueAsync name
            return q.Workers = Nullable n
        })

/// Awaits `t`, failing the test if it takes longer than `s` seconds.
let within (s: float) (what: string) (t: Task<'a>) : Task<'a> =
    task {
        let! finished = Task.WhenAny(t, Task.Delay(seconds s))
        if not (obj.ReferenceEquals(finished, t)) then
            failtestf "%s did not finish within %.0f s" what s
        return! t
    }

// ---------------------------------------------------------------------------
// Every command

let commands =
    testList "commands" [
        withClient "add, then inspect job shows every field; the default id is a version 7 UUID" (fun _ client ->
            task {
                // Data with CR LF, spaces and NUL: inspect must read it by size.
                let payload = "a\r\nname x\r\n\000 z"
                let job = BackgroundJob(Name = "mail.out-1", Ttr = seconds 5.0, Ttl = seconds 60.0, PayloadText = payload, Priority = -7, MaxAttempts = 3, MaxFails = 2)
                let! id = client.AddAsync job
                Expect.equal id job.Id "AddAsync returns the job's id"
                Expect.equal job.Id.Version 7 "a new description gets a version 7 id"
                let! info = client.InspectJobAsync id
                Expect.equal info.Id id "id"
                Expect.equal info.Name "mail.out-1" "name"
                Expect.equal info.Ttr (seconds 5.0) "ttr"
                Expect.equal info.Ttl (seconds 60.0) "ttl"
                Expect.equal info.PayloadText payload "payload, byte for byte"
                Expect.equal (info.MaxAttempts, info.Attempts, info.MaxFails, info.Fails) (3, 0, 2, 0) "counts"
                Expect.equal info.Priority -7 "priority"
                Expect.equal info.State JobState.New "state"
                Expect.isLessThan (abs (DateTimeOffset.UtcNow - info.Created).TotalMinutes) 1.0 "created just now"
                Expect.isFalse info.Time.HasValue "no time for an added job"
            })

        withClient "schedule: not leasable before its time, listed as scheduled, then leased" (fun _ client ->
            task {
                let at = DateTimeOffset.UtcNow.AddSeconds 1.5
                let job = ScheduledJob(Name = "later", Ttr = seconds 5.0, Ttl = seconds 60.0, Time = at, PayloadText = "p")
                let! id = client.ScheduleAsync job
                let! none = client.LeaseAsync("later", TimeSpan.Zero)
                Expect.isNull none "not ready before its time"
                let! info = client.InspectJobAsync id
                Expect.isTrue info.Time.HasValue "a scheduled job shows its time"
                Expect.isLessThanOrEqual (abs (info.Time.Value - at).TotalSeconds) 1.0 "its time, to the second"
                let! scheduled = client.InspectScheduledJobsAsync "later"
                Expect.equal [ for j in scheduled -> j.Id ] [ id ] "inspect scheduled-jobs lists it"
                let! ready = client.InspectJobsAsync "later"
                Expect.isEmpty ready "no ready job yet"
                let! q = client.InspectQueueAsync "later"
                Expect.equal (q.ReadyLength, q.ScheduledLength, q.LeasedLength) (0, 1, 0) "queue counts"
                let! leased = client.LeaseAsync("later", seconds 30.0)
                let leased = some leased
                Expect.equal leased.Id id "leased at its time"
                Expect.isGreaterThanOrEqual DateTimeOffset.UtcNow (at.AddMilliseconds -100.0) "not before its time"
            })

        withClient "schedule with time + ttl already past is refused with Invalid Time" (fun _ client ->
            task {
                let job =
                    ScheduledJob(Name = "q", Ttr = seconds 1.0, Ttl = seconds 60.0, Time = DateTimeOffset.UtcNow.AddMinutes -5.0)
                let! text = clientErrorText "schedule in the past" (fun () -> client.ScheduleAsync job)
                Expect.equal text "Invalid Time" "text"
                do! expectThrows<WorkqNotFoundException> "the job was not created" (fun () -> client.InspectJobAsync job.Id)
            })

        withClient "lease, complete, result: payload and result as bytes and as text" (fun _ client ->
            task {
                let data = [| 0uy; 13uy; 10uy; 255uy; 32uy |]
                let! id = client.AddAsync(Bg.Job("ping", "", data = data))
                let! job = client.LeaseAsync("ping", seconds 5.0)
                let job = some job
                Expect.equal (job.Id, job.Name, job.Ttr) (id, "ping", seconds 5.0) "the leased job"
                Expect.equal (job.Payload.ToArray()) data "payload bytes"
                do! client.CompleteAsync(id, "pong ✓")
                let! result = client.ResultAsync id
                Expect.equal (result.Id, result.Success, result.ResultText) (id, true, "pong ✓") "the result, as UTF-8"
                let! info = client.InspectJobAsync id
                Expect.equal (info.State, info.Attempts) (JobState.Completed, 1) "completed after one attempt"
                let! e = throwsAsync<WorkqClientErrorException> "a second complete" (fun () -> client.CompleteAsync(id, bytes "again"))
                expectReply e "CLIENT-ERROR" "Duplicate result"
            })

        withClient "fail: retried while below max-fails, then final with its result" (fun _ client ->
            task {
                let! id = client.AddAsync(Bg.Job("q", "x", maxFails = 2))
                let! _ = client.LeaseAsync("q", seconds 5.0)
                do! client.FailAsync(id, "first")
                let! info = client.InspectJobAsync id
                Expect.equal (info.State, info.Fails) (JobState.Pending, 1) "back in its queue"
                let! again = client.LeaseAsync("q", seconds 5.0)
                let again = some again
                Expect.equal again.Id id "leased again"
                do! client.FailAsync(id, bytes "second")
                let! result = client.ResultAsync id
                Expect.equal (result.Success, result.ResultText) (false, "second") "a final failure"
                let! info = client.InspectJobAsync id
                Expect.equal (info.State, info.Fails) (JobState.Failed, 2) "failed"
            })

        withClient "result waits for a worker; its own connection does not hold up the worker's requests" (fun _ client ->
            task {
                let! id = client.AddAsync(bgJob "q" "in")
                let waiting = client.ResultAsync(id, seconds 60.0)
                do! Task.Delay 100
                Expect.isFalse waiting.IsCompleted "result waits for the job"
                let! job = client.LeaseAsync("q", seconds 5.0)
                let job = some job
                do! client.CompleteAsync(job.Id, "out")
                let! result = within 20.0 "result" waiting
                Expect.equal (result.Success, result.ResultText) (true, "out") "the waiter gets the result"
            })

        withClient "run returns the worker's result, and the job is gone afterwards" (fun _ client ->
            task {
                let job = ForegroundJob(Name = "fg", Ttr = seconds 5.0, WaitTimeout = seconds 30.0, PayloadText = "2+2", Priority = 3)
                let running = client.RunAsync job
                let! leased = client.LeaseAsync("fg", seconds 30.0)
                let leased = some leased
                Expect.equal (leased.Id, leased.PayloadText) (job.Id, "2+2") "the worker gets the run job"
                let! info = client.InspectJobAsync job.Id
                Expect.equal (info.Priority, info.Ttl) (3, TimeSpan.Zero) "a run job: its priority, no TTL"
                do! client.CompleteAsync(leased.Id, "4")
                let! result = within 20.0 "run" running
                Expect.equal (result.Id, result.Success, result.ResultText) (job.Id, true, "4") "run's result"
                let! e = throwsAsync<WorkqNotFoundException> "result after the run" (fun () -> client.ResultAsync job.Id)
                expectReply e "NOT-FOUND" null
            })

        withClient "run whose job someone deletes ends with WorkqNotFoundException" (fun _ client ->
            task {
                let job = ForegroundJob(Name = "fg", Ttr = seconds 5.0, WaitTimeout = seconds 60.0)
                let running = client.RunAsync job
                let! leased = client.LeaseAsync("fg", seconds 30.0)
                Expect.equal (some leased).Id job.Id "a worker holds the job"
                do! client.DeleteAsync job.Id
                do! expectThrows<WorkqNotFoundException> "the run" (fun () -> within 20.0 "the run" running)
            })

        withClient "run with no worker times out with WorkqTimeoutException" (fun _ client ->
            task {
                let job = ForegroundJob(Name = "nobody", Ttr = seconds 5.0, WaitTimeout = millis 300.0)
                let sw = Stopwatch.StartNew()
                let! e = throwsAsync<WorkqTimeoutException> "run" (fun () -> client.RunAsync job)
                expectReply e "TIMEOUT" null
                Expect.isGreaterThanOrEqual sw.ElapsedMilliseconds 250L "after its wait"
                do! expectThrows<WorkqNotFoundException> "the job is removed" (fun () -> client.InspectJobAsync job.Id)
            })

        withClient "result: TIMEOUT for an unfinished job, NOT-FOUND for an unknown one" (fun _ client ->
            task {
                let! id = client.AddAsync(bgJob "q" "x")
                do! expectThrows<WorkqTimeoutException> "result without waiting" (fun () -> client.ResultAsync id)
                let sw = Stopwatch.StartNew()
                do! expectThrows<WorkqTimeoutException> "result waiting 300 ms" (fun () -> client.ResultAsync(id, millis 300.0))
                Expect.isGreaterThanOrEqual sw.ElapsedMilliseconds 250L "after its wait"
                let! e = throwsAsync<WorkqNotFoundException> "an unknown job" (fun () -> client.ResultAsync(Guid.NewGuid(), seconds 5.0))
                Expect.stringContains e.Message "result" "the message names the command"
            })

        withClient "lease: null when no job comes, at once for a zero wait, after the wait otherwise" (fun _ client ->
            task {
                let! none = client.LeaseAsync("empty", TimeSpan.Zero)
                Expect.isNull none "zero wait"
                let sw = Stopwatch.StartNew()
                let! none = client.LeaseAsync("empty", millis 300.0)
                Expect.isNull none "300 ms wait"
                Expect.isGreaterThanOrEqual sw.ElapsedMilliseconds 250L "after its wait"
            })

        withClient "lease on several names honours priority, then age, across them" (fun _ client ->
            task {
                let! a = client.AddAsync(Bg.Job("low", "a", priority = 1))
                let! b = client.AddAsync(Bg.Job("high", "b", priority = 5))
                let! c = client.AddAsync(Bg.Job("low", "c", priority = 5))
                let order = ResizeArray()
                for _ in 1..3 do
                    let! j = client.LeaseAsync([ "low"; "high" ], TimeSpan.Zero)
                    let j = some j
                    order.Add j.Id
                Expect.equal (List.ofSeq order) [ b; c; a ] "priority first, then the one ready longest"
            })

        withClient "delete: the job is gone for delete, result, complete and inspect" (fun _ client ->
            task {
                let! id = client.AddAsync(bgJob "q" "x")
                let! _ = client.LeaseAsync("q", seconds 5.0)
                do! client.DeleteAsync id
                for what, f in
                    [ "delete", (fun () -> client.DeleteAsync id)
                      "result", (fun () -> client.ResultAsync id :> Task)
                      "complete", (fun () -> client.CompleteAsync(id, "late"))
                      "fail", (fun () -> client.FailAsync(id, "late"))
                      "inspect job", (fun () -> client.InspectJobAsync id :> Task) ] do
                    let! e = throwsAsync<WorkqNotFoundException> what f
                    Expect.equal e.Code "NOT-FOUND" what
            })

        withClient "inspect jobs, queue, queues and server" (fun _ client ->
            task {
                let! first = client.AddAsync(Bg.Job("q", "1", priority = 9))
                let! second = client.AddAsync(Bg.Job("q", "2", priority = 5))
                let! third = client.AddAsync(Bg.Job("q", "3", priority = 1))
                let! _ = client.AddAsync(bgJob "alpha" "a")
                let! _ = client.AddAsync(bgJob "Zeta" "z")
                let! leased = client.LeaseAsync("q", TimeSpan.Zero)
                let leased = some leased
                Expect.equal leased.Id first "highest priority first"
                let! ready = client.InspectJobsAsync "q"
                Expect.equal [ for j in ready -> j.Id ] [ second; third ] "ready jobs in lease order"
                let! page = client.InspectJobsAsync("q", offset = 1L, limit = 1)
                Expect.equal [ for j in page -> j.Id ] [ third ] "offset 1, limit 1"
                let! past = client.InspectJobsAsync("q", offset = 5L)
                Expect.isEmpty past "offset past the end"
                let! none = client.InspectJobsAsync "none"
                Expect.isEmpty none "a queue that does not exist has no ready jobs"
                let! none = client.InspectScheduledJobsAsync "none"
                Expect.isEmpty none "nor scheduled ones"
                let! q = client.InspectQueueAsync "q"
                Expect.equal (q.Name, q.ReadyLength, q.ScheduledLength, q.LeasedLength, q.Workers) ("q", 2, 0, 1, Nullable 0) "queue q"
                let! q = client.InspectQueueAsync "none"
                Expect.equal (q.Name, q.ReadyLength, q.ScheduledLength, q.LeasedLength, q.Workers) ("none", 0, 0, 0, Nullable 0) "a queue that does not exist: zeros"
                let! queues = client.InspectQueuesAsync()
                Expect.equal [ for q in queues -> q.Name ] [ "Zeta"; "alpha"; "q" ] "queues in byte order of name"
                let! queues = client.InspectQueuesAsync(offset = 1L, limit = 1)
                Expect.equal [ for q in queues -> q.Name ] [ "alpha" ] "offset 1, limit 1"
                let! server = client.InspectServerAsync()
                Expect.isGreaterThanOrEqual server.ActiveClients 1 "this client is connected"
                Expect.equal server.EvictedJobs 0L "nothing evicted"
                Expect.equal (server.Jobs, server.Queues) (Nullable 5L, Nullable 3L) "jobs and queues"
                Expect.isLessThan (abs (DateTimeOffset.UtcNow - server.Started).TotalMinutes) 5.0 "started just now"
                Expect.equal [ for kv in server.Keys |> Seq.truncate 3 -> kv.Key ] [ "active-clients"; "evicted-jobs"; "started" ] "keys as sent"
            })
    ]

// ---------------------------------------------------------------------------
// Argument errors: the client's and the server's

let arguments =
    testList "arguments" [
        withClient "the server judges ranges: its CLIENT-ERROR texts arrive as WorkqClientErrorException" (fun _ client ->
            task {
                let cases: (string * string * (unit -> Task)) list =
                    [ "a version 0 id", "Invalid ID",
                      (fun () -> client.AddAsync(Bg.Job("q", "x", id = Guid "6ba7b810-9dad-01d1-80b4-00c04fd430c4")))
                      "a name with $", "Invalid Name", (fun () -> client.AddAsync(bgJob "bad$name" "x"))
                      "a TTR of two days", "Invalid TTR", (fun () -> client.AddAsync(Bg.Job("q", "x", ttr = TimeSpan.FromDays 2.0)))
                      "a TTL of 31 days", "Invalid TTL", (fun () -> client.AddAsync(Bg.Job("q", "x", ttl = TimeSpan.FromDays 31.0)))
                      "256 max attempts", "Invalid Max Attempts", (fun () -> client.AddAsync(Bg.Job("q", "x", maxAttempts = 256)))
                      "a lease wait of two days", "Invalid wait timeout", (fun () -> client.LeaseAsync("q", TimeSpan.FromDays 2.0))
                      "a page of 101 queues", "Invalid limit", (fun () -> client.InspectQueuesAsync(limit = 101)) ]
                for what, text, f in cases do
                    let! got = clientErrorText what f
                    Expect.equal got text what
                let job = bgJob "q" "x"
                let! _ = client.AddAsync job
                let! got = clientErrorText "the same id twice" (fun () -> client.AddAsync(Bg.Job("q", "y", id = job.Id)))
                Expect.equal got "Duplicate job" "duplicate"
                let! server = client.InspectServerAsync()
                Expect.equal server.Jobs (Nullable 1L) "only the one good job exists"
            })

        withClient "arguments that can never be valid are refused before anything is sent" (fun _ client ->
            task {
                let refused: (string * (unit -> Task)) list =
                    [ "a name with a space", (fun () -> client.AddAsync(bgJob "two words" "x"))
                      "an empty name", (fun () -> client.AddAsync(bgJob "" "x"))
                      "a zero TTR", (fun () -> client.AddAsync(Bg.Job("q", "x", ttr = TimeSpan.Zero)))
                      "a negative TTL", (fun () -> client.AddAsync(Bg.Job("q", "x", ttl = seconds -1.0)))
                      "the nil id", (fun () -> client.AddAsync(Bg.Job("q", "x", id = Guid.Empty)))
                      "over 1 MiB of payload", (fun () -> client.AddAsync(Bg.Job("q", "", data = Array.zeroCreate (1024 * 1024 + 1))))
                      "negative max-fails", (fun () -> client.AddAsync(Bg.Job("q", "x", maxFails = -1)))
                      "a lease on no queue", (fun () -> client.LeaseAsync(List.empty<string>, TimeSpan.Zero))
                      "a negative lease wait", (fun () -> client.LeaseAsync("q", seconds -1.0))
                      "a name with a line end", (fun () -> client.InspectQueueAsync "q\r\ninspect server")
                      "a negative offset", (fun () -> client.InspectQueuesAsync(offset = -1L))
                      "a result over 1 MiB", (fun () -> client.CompleteAsync(Guid.NewGuid(), ReadOnlyMemory(Array.zeroCreate (2 * 1024 * 1024)))) ]
                for what, f in refused do
                    do! expectThrows<ArgumentException> what f
                let! server = client.InspectServerAsync()
                Expect.equal (server.Jobs, server.Queues) (Nullable 0L, Nullable 0L) "nothing reached the server"
                // Exactly 1 MiB is fine, and sub-millisecond durations round up, not down to 0.
                let! id = client.AddAsync(Bg.Job("q", "", data = Array.zeroCreate (1024 * 1024), ttr = TimeSpan.FromTicks 1L))
                let! info = client.InspectJobAsync id
                Expect.equal (info.Payload.Length, info.Ttr) (1024 * 1024, millis 1.0) "1 MiB payload, TTR 1 ms"
            })
    ]

// ---------------------------------------------------------------------------
// Cancellation

let cancellation =
    testList "cancellation" [
        withClient "cancelling a waiting lease throws OperationCanceledException; the server forgets it; the client goes on" (fun _ client ->
            task {
                use cts = new CancellationTokenSource()
                let waiting = client.LeaseAsync("q", seconds 60.0, cts.Token)
                do! workersAre client "q" 1
                cts.Cancel()
                do! expectThrows<OperationCanceledException> "the cancelled lease" (fun () -> within 10.0 "the cancelled lease" waiting)
                // Its connection was closed, so the server no longer counts the worker...
                do! workersAre client "q" 0
                // ...and a new job goes to a live lease, not to the cancelled one.
                let! id = client.AddAsync(bgJob "q" "x")
                let! job = client.LeaseAsync("q", seconds 10.0)
                let job = some job
                Expect.equal job.Id id "the next lease gets the job"
            })

        withClient "cancelling a result wait, and a token cancelled before the call" (fun _ client ->
            task {
                let! id = client.AddAsync(bgJob "q" "x")
                use cts = new CancellationTokenSource(millis 200.0)
                do! expectThrows<OperationCanceledException> "a cancelled result" (fun () -> client.ResultAsync(id, seconds 60.0, cts.Token))
                let cancelled = CancellationToken(true)
                let other = bgJob "q" "y"
                do! expectThrows<OperationCanceledException> "an add with a cancelled token" (fun () -> client.AddAsync(other, cancelled))
                do! expectThrows<WorkqNotFoundException> "that add sent nothing" (fun () -> client.InspectJobAsync other.Id)
                do! client.CompleteAsync(id, "done")
                let! result = client.ResultAsync id
                Expect.equal result.ResultText "done" "the client works on"
            })

        serverTest "disposing the client ends a waiting lease with ObjectDisposedException" (fun ep ->
            task {
                let client = new WorkqClient(addressOf ep)
                let waiting = client.LeaseAsync("q", seconds 60.0)
                use observer = new WorkqClient(addressOf ep)
                do! workersAre observer "q" 1
                client.Dispose()
                do! expectThrows<ObjectDisposedException> "the lease" (fun () -> within 10.0 "the lease" waiting)
                do! expectThrows<ObjectDisposedException> "a request after disposal" (fun () -> client.InspectServerAsync())
            })
    ]

// ---------------------------------------------------------------------------
// Concurrency

let concurrency =
    testList "concurrency" [
        withClient "200 adds in parallel and 4 workers on one client: every job done exactly once" (fun _ client ->
            task {
                let n = 200
                let leases = ConcurrentDictionary<Guid, int>()
                let finished = ref 0
                use stop = new CancellationTokenSource(seconds 120.0)
                let worker () : Task<unit> =
                    task {
                        while Volatile.Read(&finished.contents) < n && not stop.IsCancellationRequested do
                            match! client.LeaseAsync("work", seconds 1.0, stop.Token) with
                            | null -> ()
                            | job ->
                                leases.AddOrUpdate(job.Id, 1, fun _ k -> k + 1) |> ignore
                                do! client.CompleteAsync(job.Id, "done:" + job.PayloadText)
                                Interlocked.Increment(&finished.contents) |> ignore
                    }
                let workers = [| for _ in 1..4 -> Task.Run<unit>(fun () -> worker ()) |]
                let! ids =
                    Task.WhenAll [| for i in 1..n -> Task.Run<Guid>(fun () -> client.AddAsync(bgJob "work" (string i))) |]
                let! _ = within 120.0 "the workers" (Task.WhenAll workers)
                Expect.equal (Set.ofArray ids).Count n "200 distinct ids"
                Expect.equal leases.Count n "every job leased"
                Expect.all leases.Values (fun k -> k = 1) "each exactly once"
                let! results = Task.WhenAll [| for id in ids -> client.ResultAsync id |]
                let expected = [| for i in 1..n -> "done:" + string i |]
                Expect.equal [| for r in results -> r.ResultText |] expected "each job's own result"
            })

        withClient "waiting leases do not hold up other requests" (fun _ client ->
            task {
                use cts = new CancellationTokenSource()
                let waiting = [| for _ in 1..4 -> client.LeaseAsync("idle", seconds 60.0, cts.Token) |]
                do! workersAre client "idle" 4
                let sw = Stopwatch.StartNew()
                for i in 1..50 do
                    let! _ = client.AddAsync(bgJob "busy" (string i))
                    ()
                let! q = client.InspectQueueAsync "busy"
                Expect.equal q.ReadyLength 50 "50 jobs added"
                Expect.isLessThan sw.Elapsed.TotalSeconds 20.0 "adds were not held up"
                Expect.isTrue (waiting |> Array.forall (fun t -> not t.IsCompleted)) "the leases still wait"
                cts.Cancel()
                for t in waiting do
                    do! expectThrows<OperationCanceledException> "a cancelled lease" (fun () -> t)
            })
    ]

// ---------------------------------------------------------------------------
// Broken connections

let connections =
    testList "connections" [
        testCaseAsync "a server that goes away: WorkqConnectionException; a new one on its port: the client works again" (async {
            let! first = startServer serverArgs |> Async.AwaitTask
            let port = first.EndPoint.Port
            use client = new WorkqClient($"127.0.0.1:{port}")
            let mutable second: RunningServer option = None
            try
                do! task {
                        let! _ = client.AddAsync(bgJob "q" "before")
                        do! first.DisposeAsync()
                        let! _ = throwsAsync<WorkqConnectionException> "a request with no server" (fun () -> client.InspectServerAsync())
                        // Whatever the first attempt met (a connection closed by the server, or none), by now
                        // nothing is pooled and no connection can be opened: nothing is sent.
                        let! e = throwsAsync<WorkqConnectionException> "another request" (fun () -> client.InspectServerAsync())
                        Expect.isFalse e.RequestSent "nothing could be sent"
                        Expect.isNotNull e.InnerException "the socket error is kept"
                        let! restarted =
                            startServer [| "--listen"; $"127.0.0.1:{port}" |]
                        second <- Some restarted
                        let! id = client.AddAsync(bgJob "q" "after")
                        let! job = client.LeaseAsync("q", seconds 5.0)
                        let job = some job
                        Expect.equal job.Id id "the new server has the new job (the first was in memory only)"
                    } |> Async.AwaitTask
            finally
                first.DisposeAsync().AsTask().Wait()
                second |> Option.iter (fun s -> s.DisposeAsync().AsTask().Wait())
        })

        serverTest "a connection cut during a request: WorkqConnectionException; the next request gets a new one" (fun ep ->
            task {
                use relay = new Relay(ep)
                use client = new WorkqClient(relay.Address)
                use observer = new WorkqClient(addressOf ep)
                let waiting = client.LeaseAsync("q", seconds 60.0)
                do! workersAre observer "q" 1
                relay.CutAll()
                let! e = throwsAsync<WorkqConnectionException> "the cut lease" (fun () -> within 10.0 "the cut lease" waiting)
                Expect.isTrue e.RequestSent "the lease had been sent"
                let! id = client.AddAsync(bgJob "q" "x")
                let! job = client.LeaseAsync("q", seconds 5.0)
                let job = some job
                Expect.equal job.Id id "the client works on"
            })

        serverTest "idle pooled connections closed by the far end are replaced without failing a request" (fun ep ->
            task {
                use relay = new Relay(ep)
                use client = new WorkqClient(relay.Address)
                for i in 1..3 do
                    let! _ = client.AddAsync(bgJob "q" (string i))
                    ()
                Expect.equal relay.Accepted 1 "sequential requests share one pooled connection"
                relay.CutAll()
                do! Task.Delay 200 // let the close reach the client's socket
                for _ in 1..3 do
                    let! q = client.InspectQueueAsync "q"
                    Expect.equal q.ReadyLength 3 "requests after the cut succeed"
                Expect.equal relay.Accepted 2 "one new connection replaced the closed one"
            })

        testCaseAsync "pool size: MaxPooledConnections 0 opens a connection per request" (async {
            use server = new ScriptedServer(fun _ -> "+OK\r\n")
            use client = new WorkqClient(WorkqClientOptions(Server = server.Address, MaxPooledConnections = 0))
            do! task {
                    for _ in 1..3 do
                        do! client.DeleteAsync(Guid.NewGuid())
                    do! eventually 5000 "three connections" (fun () -> task { return server.Accepted = 3 })
                } |> Async.AwaitTask
        })
    ]

// ---------------------------------------------------------------------------
// Replies the real server does not send

let replies =
    testList "reply parsing" [
        testCaseAsync "records are read by key-count, unknown keys kept, payload by size; unknown error codes" (async {
            let id = "0f6a7d2e-52b1-4c1e-9a57-3f0c2b9d8e11"
            let reply (line: string) =
                match line with
                | "inspect server" ->
                    "+OK 1\r\nserver 6\r\nactive-clients 4\r\nevicted-jobs 2\r\nstarted 2026-11-27T21:47:33Z\r\nshards 3\r\njobs 7\r\nqueues 1\r\n"
                | "inspect queue old" -> "+OK 1\r\nold 3\r\nready-len 2\r\nscheduled-len 0\r\nleased-len 1\r\n"
                | l when l.StartsWith "inspect job " ->
                    $"+OK 1\r\n{id} 14\r\nname q\r\nttr 5000\r\nttl 60000\r\npayload-size 10\r\npayload a\r\nttl 1\r\n\r\nmax-attempts 0\r\nattempts 1\r\nmax-fails 0\r\nfails 0\r\npriority 10\r\nstate 4\r\ncreated 2026-11-27T21:50:02Z\r\ntime 2026-11-27T21:50:03Z\r\nnote two words\r\n"
                | l when l.StartsWith "delete " -> "-BUSY try later\r\n"
                | l when l.StartsWith "result " -> "-SERVER-ERROR disk full\r\n"
                | _ -> "+OK 1\r\nnot a lease line\r\n"
            use server = new ScriptedServer(reply)
            use client = new WorkqClient(server.Address)
            do! task {
                    let! s = client.InspectServerAsync()
                    Expect.equal (s.ActiveClients, s.EvictedJobs, s.Jobs, s.Queues) (4, 2L, Nullable 7L, Nullable 1L) "server counts"
                    Expect.equal s.Started (DateTimeOffset(2026, 11, 27, 21, 47, 33, TimeSpan.Zero)) "started"
                    Expect.contains s.Keys (KeyValuePair("shards", "3")) "an unknown key is kept"
                    let! q = client.InspectQueueAsync "old"
                    Expect.equal (q.ReadyLength, q.LeasedLength, q.Workers) (2, 1, Nullable()) "no workers key: null"
                    let! j = client.InspectJobAsync(Guid id)
                    Expect.equal j.PayloadText "a\r\nttl 1\r\n" "the payload, CR LF and all"
                    Expect.equal (j.Ttl, j.State, j.Attempts, j.Priority) (seconds 60.0, JobState.Leased, 1, 10) "keys after the payload"
                    Expect.equal j.Time (Nullable(DateTimeOffset(2026, 11, 27, 21, 50, 3, TimeSpan.Zero))) "time"
                    let! e = throwsAsync<WorkqException> "an unknown error code" (fun () -> client.DeleteAsync(Guid.NewGuid()))
                    Expect.equal (e.GetType()) typeof<WorkqException> "the base class"
                    expectReply e "BUSY" "try later"
                    let! e = throwsAsync<WorkqServerErrorException> "a server error" (fun () -> client.ResultAsync(Guid.NewGuid()))
                    expectReply e "SERVER-ERROR" "disk full"
                    Expect.equal server.Accepted 1 "one connection so far: error replies leave it usable"
                    let! e = throwsAsync<WorkqConnectionException> "a malformed lease reply" (fun () -> client.LeaseAsync("q", TimeSpan.Zero))
                    Expect.stringContains e.Message "not a lease line" "the message quotes the reply"
                    let! _ = client.InspectServerAsync()
                    Expect.equal server.Accepted 2 "the connection with a bad reply was not reused"
                } |> Async.AwaitTask
        })
    ]

// ---------------------------------------------------------------------------
// Dependency injection

let injection =
    testList "AddWorkqClient" [
        serverTest "binds options from configuration; one shared client, disposed with the container" (fun ep ->
            task {
                let settings =
                    dict [ "Workq:Server", addressOf ep
                           "Workq:ConnectTimeout", "00:00:03"
                           "Workq:MaxPooledConnections", "2" ]
                let configuration = ConfigurationBuilder().AddInMemoryCollection(settings).Build()
                let services = ServiceCollection().AddWorkqClient(configuration.GetSection "Workq")
                let provider = services.BuildServiceProvider()
                let options = provider.GetRequiredService<IOptions<WorkqClientOptions>>().Value
                Expect.equal (options.Server, options.ConnectTimeout, options.MaxPooledConnections) (addressOf ep, seconds 3.0, 2) "bound options"
                let client = provider.GetRequiredService<WorkqClient>()
                Expect.isTrue (obj.ReferenceEquals(client, provider.GetRequiredService<WorkqClient>())) "a singleton"
                Expect.equal client.Server (addressOf ep) "its server"
                let! id = client.AddAsync(bgJob "q" "x")
                let! info = client.InspectJobAsync id
                Expect.equal info.Name "q" "the client works"
                do! provider.DisposeAsync()
                do! expectThrows<ObjectDisposedException> "after the container is disposed" (fun () -> client.InspectServerAsync())
            })

        serverTest "takes an Action<WorkqClientOptions>; defaults without one" (fun ep ->
            task {
                use provider = ServiceCollection().AddWorkqClient(fun o -> o.Server <- addressOf ep).BuildServiceProvider()
                let client = provider.GetRequiredService<WorkqClient>()
                let! server = client.InspectServerAsync()
                Expect.isGreaterThanOrEqual server.ActiveClients 1 "connected"
                use defaults = ServiceCollection().AddWorkqClient().BuildServiceProvider()
                Expect.equal (defaults.GetRequiredService<WorkqClient>().Server) "127.0.0.1:9922" "the default server"
            })

        testCase "an invalid server address is refused when the client is made" (fun () ->
            for bad in [ "nohost"; "host:"; "host:99999"; "::1:9922"; "" ] do
                Expect.throwsT<ArgumentException> (fun () -> new WorkqClient(bad) |> ignore) $"'{bad}'"
            use v6 = new WorkqClient("[::1]:9922")
            Expect.equal v6.Server "[::1]:9922" "a bracketed IPv6 address")
    ]

// ---------------------------------------------------------------------------
// Failed and recurring work

/// A type for the JSON payload helpers.
type Order = { Number: int; Items: string[] }

let failedAndRecurring =
    testList "failed and recurring work" [
        withClient "back-off and retry-in: a retry waits, with its time; LeasedJob carries the counts; touch" (fun _ client ->
            task {
                let job = BackgroundJob(Name = "q", Ttr = seconds 5.0, Ttl = TimeSpan.FromDays 1.0, MaxFails = 5, Backoff = TimeSpan.FromHours 1.0, PayloadText = "x")
                let! id = client.AddAsync job
                let! leased = client.LeaseAsync("q", TimeSpan.Zero)
                let leased = some leased
                Expect.equal (leased.Attempts, leased.Fails) (Nullable 1, Nullable 0) "a first attempt"
                do! client.TouchAsync(id)
                do! client.TouchAsync(id, Nullable(seconds 60.0))
                do! client.FailAsync(id, "busy")
                let! info = client.InspectJobAsync id
                Expect.equal info.State JobState.Pending "pending"
                let wait = info.RetryAt.Value - DateTimeOffset.UtcNow
                Expect.isTrue (wait > TimeSpan.FromMinutes 45.0 && wait <= TimeSpan.FromMinutes 61.0) $"an hour within a fifth: {wait}"
                let! scheduled = client.InspectScheduledJobsAsync "q"
                Expect.equal [ for j in scheduled -> j.Id ] [ id ] "among the scheduled jobs"
                let! none = client.LeaseAsync("q", TimeSpan.Zero)
                Expect.isNull none "not leasable while it waits"
                let! e = throwsAsync<WorkqNotFoundException> "touch of a job not leased" (fun () -> client.TouchAsync(id))
                expectReply e "NOT-FOUND" null
                // A retry-in of zero: ready at once, whatever the back-off.
                do! client.FailAsync(id, "again", TimeSpan.Zero)
                let! again = client.LeaseAsync("q", TimeSpan.Zero)
                Expect.equal ((some again).Fails, (some again).Attempts) (Nullable 2, Nullable 2) "its second fail and attempt"
                do! client.FailAsync(id, bytes "later", millis 300.0)
                let sw = Stopwatch.StartNew()
                let! third = client.LeaseAsync("q", seconds 10.0)
                Expect.equal (some third).Id id "leased again after its retry-in"
                expectWaited sw 300.0 "the lease after -retry-in"
                let! e = throwsAsync<WorkqClientErrorException> "a retry-in over an hour" (fun () -> client.FailAsync(id, "x", TimeSpan.FromHours 2.0))
                expectReply e "CLIENT-ERROR" "Invalid Retry In"
                let! e = throwsAsync<WorkqClientErrorException> "a TTR over a day" (fun () -> client.TouchAsync(id, Nullable(TimeSpan.FromDays 2.0)))
                expectReply e "CLIENT-ERROR" "Invalid TTR"
                let! e = throwsAsync<WorkqClientErrorException> "a back-off over an hour" (fun () ->
                    client.AddAsync(BackgroundJob(Name = "q", Ttr = seconds 5.0, Ttl = seconds 60.0, Backoff = TimeSpan.FromHours 2.0)))
                expectReply e "CLIENT-ERROR" "Invalid Backoff"
                do! expectThrows<ArgumentOutOfRangeException> "a negative retry-in" (fun () -> client.FailAsync(id, "x", seconds -1.0))
            })

        withClient "failed jobs: listed with their results, counted; requeue one or all" (fun _ client ->
            task {
                let! a = client.AddAsync(bgJob "mail" "first")
                let! b = client.AddAsync(bgJob "mail" "second")
                let! c = client.AddAsync(bgJob "mail" "third")
                do! client.FailAsync(a, bytes "line\r\nbreak")
                do! Task.Delay 20
                do! client.FailAsync(b, "no")
                let! failed = client.InspectFailedJobsAsync "mail"
                Expect.equal [ for f in failed -> f.Job.Id ] [ b; a ] "newest first"
                Expect.equal failed[1].ResultText "line\r\nbreak" "the result, raw"
                Expect.equal (failed[1].Job.State, failed[1].Job.PayloadText) (JobState.Failed, "first") "the job"
                Expect.isTrue (abs (failed[0].FailedAt - DateTimeOffset.UtcNow).TotalSeconds < 60.0) "when it failed"
                let! queue = client.InspectQueueAsync "mail"
                Expect.equal (queue.ReadyLength, queue.FailedLength) (1, Nullable 2) "the queue's counts"
                let! server = client.InspectServerAsync()
                Expect.equal server.FailedJobs (Nullable 2L) "the server's count"
                do! client.RequeueAsync(a, Nullable(TimeSpan.FromHours 1.0))
                let! info = client.InspectJobAsync a
                Expect.equal (info.State, info.Fails, info.Ttl) (JobState.New, 0, TimeSpan.FromHours 1.0) "a new series, its new TTL"
                let! e = throwsAsync<WorkqClientErrorException> "requeue of a job not failed" (fun () -> client.RequeueAsync(c))
                expectReply e "CLIENT-ERROR" "Job not failed"
                let! e = throwsAsync<WorkqNotFoundException> "requeue of no job" (fun () -> client.RequeueAsync(Guid.CreateVersion7()))
                expectReply e "NOT-FOUND" null
                let! count = client.RequeueFailedAsync "mail"
                Expect.equal count 1 "b went back"
                let! count = client.RequeueFailedAsync("mail", Nullable(seconds 30.0))
                Expect.equal count 0 "none left"
                let! ready = client.InspectJobsAsync "mail"
                Expect.equal [ for j in ready -> j.Id ] [ c; a; b ] "all three ready, the requeued as if just added"
            })

        withClient "recurring definitions: set, listed, their occurrences' jobs, removed" (fun _ client ->
            task {
                let definition =
                    RecurringJob(Key = "tick", Name = "q", Cron = "* * * * * *", Ttr = seconds 5.0, Ttl = seconds 60.0,
                                 PayloadText = "t", Priority = 3, MaxFails = 2, Backoff = seconds 1.0, Overlap = RecurringOverlap.Skip)
                do! client.RecurAsync definition
                let! listed = client.InspectRecurringAsync()
                let d = Seq.exactlyOne listed
                Expect.equal (d.Key, d.Name, d.Cron, d.PayloadText, d.Priority, d.MaxFails, d.Backoff, d.Overlap)
                    ("tick", "q", "*_*_*_*_*_*", "t", 3, 2, seconds 1.0, RecurringOverlap.Skip) "as set, the expression as one token"
                Expect.isTrue d.Next.HasValue "its next occurrence"
                let! job = client.LeaseAsync("q", seconds 10.0)
                let job = some job
                Expect.equal job.PayloadText "t" "an occurrence's job"
                Expect.equal (job.Id.Version) 8 "its id derived from the key and the time"
                let! listed = client.InspectRecurringAsync(0L, 1)
                Expect.equal listed[0].LastJob (Nullable job.Id) "its last job"
                do! client.UnrecurAsync "tick"
                let! e = throwsAsync<WorkqNotFoundException> "unrecur of no definition" (fun () -> client.UnrecurAsync "tick")
                expectReply e "NOT-FOUND" null
                let! e = throwsAsync<WorkqClientErrorException> "an expression that never occurs" (fun () ->
                    client.RecurAsync(RecurringJob(Key = "k", Name = "q", Cron = "0 0 30 2 *", Ttr = seconds 5.0, Ttl = seconds 60.0)))
                expectReply e "CLIENT-ERROR" "Invalid Cron"
                let! listed = client.InspectRecurringAsync()
                Expect.isEmpty listed "none left"
            })

        withClient "JSON payloads and results: by reflection and by type metadata" (fun _ client ->
            task {
                let order = { Number = 7; Items = [| "tea"; "cake" |] }
                let info = JsonSerializerOptions.Web.GetTypeInfo(typeof<Order>) :?> Metadata.JsonTypeInfo<Order>
                let! id = client.AddAsync(BackgroundJob(Name = "orders", Ttr = seconds 5.0, Ttl = seconds 60.0, Payload = ReadOnlyMemory(WorkqJson.Serialize(order, info))))
                let! leased = client.LeaseAsync("orders", TimeSpan.Zero)
                let leased = some leased
                Expect.equal leased.PayloadText """{"number":7,"items":["tea","cake"]}""" "camelCase JSON"
                Expect.equal (nonNull (leased.PayloadAs<Order>(info))) order "read by type metadata"
                Expect.equal (nonNull (leased.PayloadAs<Order>())) order "read by reflection"
                do! client.CompleteAsync(id, ReadOnlyMemory(WorkqJson.Serialize({ order with Number = 8 })))
                let! result = client.ResultAsync id
                Expect.equal (nonNull (result.ResultAs<Order>(info))).Number 8 "the result"
                let! job = client.InspectJobAsync id
                Expect.equal (nonNull (job.PayloadAs<Order>())) order "an inspected job's payload"
                Expect.throws (fun () -> WorkqJson.Deserialize<Order>(bytes "not json", info) |> ignore) "not JSON"
            })

        testCaseAsync "a server that ignores -counts=1 (the original): the lease's counts are null; records with a result" (async {
            let id = "0f6a7d2e-52b1-4c1e-9a57-3f0c2b9d8e11"
            let lines = ConcurrentQueue<string>()
            let reply (line: string) =
                lines.Enqueue line
                match line with
                | l when l.StartsWith "lease " -> $"+OK 1\r\n{id} q 5000 3\r\nabc\r\n"
                | _ ->
                    $"+OK 1\r\n{id} 16\r\nname q\r\nttr 5000\r\nttl 60000\r\npayload-size 1\r\npayload x\r\nmax-attempts 0\r\nattempts 1\r\nmax-fails 0\r\nfails 1\r\npriority 0\r\nstate 2\r\ncreated 2026-11-27T21:50:02Z\r\nfailed 2026-11-27T21:50:03Z\r\nresult-size 4\r\nresult a\r\nb\r\nnext 1\r\n"
            use server = new ScriptedServer(reply)
            use client = new WorkqClient(server.Address)
            do! task {
                    let! job = client.LeaseAsync([ "q"; "r" ], seconds 1.0)
                    let job = some job
                    Expect.equal (job.PayloadText, job.Attempts, job.Fails) ("abc", Nullable(), Nullable()) "no counts"
                    Expect.equal (List.ofSeq lines) [ "lease q r 1000 -counts=1" ] "the request asks for them"
                    let! failed = client.InspectFailedJobsAsync("q", 0L, 1)
                    let f = Seq.exactlyOne failed
                    Expect.equal (f.ResultText, f.Job.Fails) ("a\r\nb", 1) "the result by its size; keys after it"
                    Expect.equal f.FailedAt (DateTimeOffset(2026, 11, 27, 21, 50, 3, TimeSpan.Zero)) "failed"
                } |> Async.AwaitTask
        })

        testCase "AddWorkqClient: the client is also the IWorkqClient, unless one is registered before" (fun () ->
            let provider = ServiceCollection().AddWorkqClient().BuildServiceProvider()
            Expect.isTrue (obj.ReferenceEquals(provider.GetRequiredService<IWorkqClient>(), provider.GetRequiredService<WorkqClient>())) "one instance"
            let mine = new WorkqClient("127.0.0.1:1")
            let services = ServiceCollection()
            services.AddSingleton<IWorkqClient>(mine) |> ignore
            let provider = services.AddWorkqClient().BuildServiceProvider()
            Expect.isTrue (obj.ReferenceEquals(provider.GetRequiredService<IWorkqClient>(), mine)) "the application's own")
    ]

[<Tests>]
let tests =
    testList "Workq.Client" [
        commands
        arguments
        cancellation
        concurrency
        connections
        replies
        injection
        failedAndRecurring
    ]
