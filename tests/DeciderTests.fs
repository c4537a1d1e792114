/// Each lifecycle rule, driven through the decider with explicit instants: no sockets,
/// no sleeps.
module Workq.Tests.DeciderTests

open Expecto
open Workq.Domain

let t0 = 1_800_000_000_000L<ms>

let jobId n = JobId.tryParse (sprintf "6ba7b810-9dad-41d1-80b4-%012d" n) |> Option.get
let name s = JobName.tryCreate s |> Option.get
let ms (n: int64) = n * 1L<ms>
let ttr n = Ttr.tryCreate (ms n) |> Option.get
let ttl n = Ttl.tryCreate (ms n) |> Option.get
let wait n = WaitTimeout.tryCreate (ms n) |> Option.get
let limit n = Limit.tryCreate n |> Option.get
let bytes (s: string) = System.Text.Encoding.ASCII.GetBytes s

let spec n queue =
    { Id = jobId n; Name = name queue; Ttr = ttr 1000; Ttl = ttl 60_000; Priority = 0
      MaxAttempts = Limit.zero; MaxFails = Limit.zero; Backoff = RetryDelay.zero; Payload = bytes (sprintf "job %d" n) }

let add n queue = Add(spec n queue)
let addWith n queue (change: NewJob -> NewJob) = Add(change (spec n queue))
let lease queues w = Lease(List.map name queues, wait w)
let complete n (result: string) = Complete(jobId n, bytes result)
let fail n (result: string) = Fail(jobId n, bytes result)
let result n w = Result(jobId n, wait w)
let run n queue waitMs ttrMs =
    Run { Id = jobId n; Name = name queue; Ttr = ttr ttrMs; Wait = wait waitMs; Priority = 0; Payload = bytes "run" }

/// A simulated server: its state and the replies of the last input.
type Sim = { State: State; Replies: Outbound list; Events: Event list }

let connected conns =
    conns
    |> List.fold
        (fun (s: State) c -> (Decide.decide Limits.none t0 (Connect c) s).State)
        (State.initial t0)
    |> fun s -> { State = s; Replies = []; Events = [] }

/// Feeds an input at `t0 + offset` ms.
let at offset input (sim: Sim) =
    let d = Decide.decide Limits.none (t0 + ms offset) input sim.State
    { State = d.State; Replies = d.Replies; Events = d.Events }

let send offset conn cmd sim = at offset (Request(conn, cmd)) sim

let repliesTo conn sim = sim.Replies |> List.filter (fun o -> o.To = conn) |> List.map (fun o -> o.Reply)

/// Asserts the replies of the last input, per connection, and passes the sim on.
let expect (expected: (ConnId * Reply) list) (sim: Sim) =
    let actual = sim.Replies |> List.map (fun o -> o.To, o.Reply) |> List.sortBy fst
    Expect.equal actual (List.sortBy fst expected) "replies"
    sim

let expectLeased conn n sim =
    match repliesTo conn sim with
    | [ LeaseOf job ] -> Expect.equal job.Id (jobId n) (sprintf "connection %d leases job %d" conn n)
    | other -> failtestf "connection %d: expected a lease of job %d, got %A" conn n other
    sim

let job n sim = sim.State.Jobs.[jobId n]

/// Asserts that the connection got job records for exactly these jobs, in this order.
let expectRecords conn ns sim =
    match repliesTo conn sim with
    | [ JobRecords jobs ] -> Expect.equal (jobs |> List.map (fun j -> j.Id)) (List.map jobId ns) "records"
    | other -> failtestf "connection %d: expected job records, got %A" conn other
    sim

let expectJob n (check: Job -> unit) sim =
    check (job n sim)
    sim

let success (s: string) = { Success = true; Data = bytes s }
let failure (s: string) = { Success = false; Data = bytes s }

let lifecycle =
    testList "lifecycle" [
        test "add, lease, complete, result" {
            connected [ 1; 2 ]
            |> send 0 1 (add 1 "ping") |> expect [ 1, Done ]
            |> send 1 2 (lease [ "ping" ] 1000) |> expectLeased 2 1
            |> expectJob 1 (fun j -> Expect.equal (j.Attempts, Job.stateCode j) (1, 4) "leased once")
            |> send 2 2 (complete 1 "pong") |> expect [ 2, Done ]
            |> send 3 1 (result 1 0) |> expect [ 1, ResultOf(jobId 1, success "pong") ]
            |> ignore
        }
        test "priority first, then ready longest, across queues" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "low" (fun s -> { s with Priority = 1 }))
            |> send 1 1 (addWith 2 "high" (fun s -> { s with Priority = 5 }))
            |> send 2 1 (addWith 3 "low" (fun s -> { s with Priority = 5 }))
            |> send 3 1 (lease [ "low"; "high" ] 0) |> expectLeased 1 2
            |> send 3 1 (lease [ "low"; "high" ] 0) |> expectLeased 1 3
            |> send 3 1 (lease [ "low"; "high" ] 0) |> expectLeased 1 1
            |> send 3 1 (lease [ "low"; "high" ] 0) |> expect [ 1, Timeout ]
            |> ignore
        }
        test "jobs added in the same millisecond keep their arrival order" {
            connected [ 1 ]
            |> send 0 1 (add 2 "q") |> send 0 1 (add 1 "q") |> send 0 1 (add 3 "q")
            |> send 0 1 (lease [ "q" ] 0) |> expectLeased 1 2
            |> send 0 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> send 0 1 (lease [ "q" ] 0) |> expectLeased 1 3
            |> ignore
        }
        test "a job scheduled in the past is ready since its time, ahead of older adds" {
            connected [ 1 ]
            |> send 1000 1 (add 1 "q")
            |> send 2000 1 (Schedule(spec 2 "q", t0 + ms 500)) |> expect [ 1, Done ]
            |> send 2000 1 (lease [ "q" ] 0) |> expectLeased 1 2
            |> ignore
        }
        test "a TTR timeout requeues the job in its old place" {
            connected [ 1 ]
            |> send 0 1 (add 1 "q") |> send 1 1 (add 2 "q")
            |> send 2 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> at 1001 Tick |> expect []
            |> expectJob 1 (fun j -> Expect.equal (Job.stateCode j) 4 "still leased just before the TTR")
            |> at 1002 Tick
            |> expectJob 1 (fun j -> Expect.equal (Job.stateCode j, j.Attempts) (3, 1) "pending after the TTR")
            |> send 1003 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> expectJob 1 (fun j -> Expect.equal j.Attempts 2 "second attempt")
            |> ignore
        }
        test "the last attempt's timeout fails the job and answers its waiters with an empty result" {
            connected [ 1; 2 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with MaxAttempts = limit 2 }))
            |> send 0 1 (lease [ "q" ] 0) |> at 1000 Tick
            |> send 1000 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> send 1500 2 (result 1 5000) |> expect []
            |> at 2000 Tick |> expect [ 2, ResultOf(jobId 1, failure "") ]
            |> expectJob 1 (fun j -> Expect.equal (Job.stateCode j, j.Attempts) (2, 2) "failed after two attempts")
            |> ignore
        }
        test "max-attempts 0 still stops at 255 attempts" {
            let leaseAndTimeOut sim i = sim |> send (int64 i * 1000L) 1 (lease [ "q" ] 0) |> expectLeased 1 1
            let sim = List.fold leaseAndTimeOut (connected [ 1 ] |> send 0 1 (addWith 1 "q" (fun s -> { s with Ttl = ttl 1_000_000 }))) [ 0..254 ]
            sim
            |> at (255L * 1000L) Tick
            |> expectJob 1 (fun j -> Expect.equal (Job.stateCode j, j.Attempts) (2, 255) "failed at the cap")
            |> send 255_001 1 (lease [ "q" ] 0) |> expect [ 1, Timeout ]
            |> ignore
        }
        test "max-fails retries until the count is reached (the spec's example)" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with MaxFails = limit 2 }))
            |> send 1 1 (lease [ "q" ] 0) |> send 2 1 (fail 1 "x") |> expect [ 1, Done ]
            |> expectJob 1 (fun j -> Expect.equal (Job.stateCode j, j.Attempts, j.Fails) (3, 1, 1) "retried")
            |> send 3 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> send 4 1 (fail 1 "y") |> expect [ 1, Done ]
            |> expectJob 1 (fun j -> Expect.equal (Job.stateCode j, j.Fails) (2, 2) "final")
            |> send 5 1 (result 1 0) |> expect [ 1, ResultOf(jobId 1, failure "y") ]
            |> ignore
        }
        test "a retried fail needs an attempt left" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with MaxFails = limit 5; MaxAttempts = limit 1 }))
            |> send 1 1 (lease [ "q" ] 0) |> send 2 1 (fail 1 "x")
            |> expectJob 1 (fun j -> Expect.equal (Job.stateCode j) 2 "failed for good")
            |> ignore
        }
        test "max-fails 0 and 1 make the first fail final" {
            for maxFails in [ 0; 1 ] do
                connected [ 1 ]
                |> send 0 1 (addWith 1 "q" (fun s -> { s with MaxFails = limit maxFails }))
                |> send 1 1 (fail 1 "no") |> expect [ 1, Done ]
                |> send 2 1 (result 1 0) |> expect [ 1, ResultOf(jobId 1, failure "no") ]
                |> ignore
        }
        test "complete and fail need no lease; a retried fail of a ready job keeps its place" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with MaxFails = limit 3 }))
            |> send 1 1 (add 2 "q")
            |> send 2 1 (fail 1 "x") |> expect [ 1, Done ]
            |> send 3 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> send 4 1 (complete 2 "done") |> expect [ 1, Done ]
            |> send 5 1 (lease [ "q" ] 0) |> expect [ 1, Timeout ]
            |> ignore
        }
        test "a late complete after the TTR still counts, a second one is a duplicate" {
            connected [ 1 ]
            |> send 0 1 (add 1 "q") |> send 0 1 (lease [ "q" ] 0)
            |> send 5000 1 (complete 1 "late") |> expect [ 1, Done ]
            |> send 5001 1 (complete 1 "again") |> expect [ 1, ClientError DuplicateResult ]
            |> send 5002 1 (fail 1 "again") |> expect [ 1, ClientError DuplicateResult ]
            |> ignore
        }
        test "an id is held by any live job, finished or not" {
            connected [ 1 ]
            |> send 0 1 (add 1 "q") |> send 1 1 (add 1 "other") |> expect [ 1, ClientError DuplicateJob ]
            |> send 2 1 (complete 1 "") |> send 3 1 (Schedule(spec 1 "q", t0)) |> expect [ 1, ClientError DuplicateJob ]
            |> send 4 1 (run 1 "q" 100 100) |> expect [ 1, ClientError DuplicateJob ]
            |> ignore
        }
        test "unknown jobs are not found" {
            connected [ 1 ]
            |> send 0 1 (complete 9 "") |> expect [ 1, NotFound ]
            |> send 0 1 (fail 9 "") |> expect [ 1, NotFound ]
            |> send 0 1 (Delete(jobId 9)) |> expect [ 1, NotFound ]
            |> send 0 1 (result 9 1000) |> expect [ 1, NotFound ]
            |> send 0 1 (Inspect(InspectJob(jobId 9))) |> expect [ 1, NotFound ]
            |> ignore
        }
    ]

let expiry =
    testList "TTL" [
        test "an unfinished job expires, is counted as evicted, and its waiters are told" {
            connected [ 1; 2 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with Ttl = ttl 500 }))
            |> send 10 2 (result 1 10_000) |> expect []
            |> at 499 Tick |> expect []
            |> at 500 Tick |> expect [ 2, NotFound ]
            |> send 501 1 (result 1 0) |> expect [ 1, NotFound ]
            |> fun sim -> Expect.equal sim.State.EvictedJobs 1L "evicted"; sim
            |> ignore
        }
        test "a finished job keeps its result until its TTL and is not counted as evicted" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with Ttl = ttl 500 }))
            |> send 1 1 (complete 1 "ok")
            |> send 499 1 (result 1 0) |> expect [ 1, ResultOf(jobId 1, success "ok") ]
            |> send 500 1 (result 1 0) |> expect [ 1, NotFound ]
            |> fun sim -> Expect.equal sim.State.EvictedJobs 0L "not evicted"; sim
            |> ignore
        }
        test "a leased job expires too, and the worker's complete is then not found" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with Ttl = ttl 500; Ttr = ttr 10_000 }))
            |> send 1 1 (lease [ "q" ] 0)
            |> send 600 1 (complete 1 "") |> expect [ 1, NotFound ]
            |> fun sim -> Expect.equal (Timers.count sim.State.Timers) 0 "no timers left"; sim
            |> ignore
        }
        test "a scheduled job's TTL runs from its time" {
            connected [ 1 ]
            |> send 0 1 (Schedule({ spec 1 "q" with Ttl = ttl 100 }, t0 + ms 1000))
            |> send 1050 1 (result 1 0) |> expect [ 1, Timeout ]
            |> send 1100 1 (result 1 0) |> expect [ 1, NotFound ]
            |> ignore
        }
    ]

let scheduling =
    testList "schedule" [
        test "a scheduled job waits for its time, then joins its queue and wakes a worker" {
            connected [ 1; 2 ]
            |> send 0 1 (Schedule(spec 1 "q", t0 + ms 1000)) |> expect [ 1, Done ]
            |> send 1 2 (lease [ "q" ] 0) |> expect [ 2, Timeout ]
            |> send 2 1 (Inspect(InspectScheduledJobs(name "q", { Offset = 0u; Limit = 10 })))
            |> expectRecords 1 [ 1 ]
            |> send 3 2 (lease [ "q" ] 5000) |> expect []
            |> at 1000 Tick |> expectLeased 2 1
            |> ignore
        }
        test "a time whose TTL has already run out is refused" {
            connected [ 1 ]
            |> send 10_000 1 (Schedule({ spec 1 "q" with Ttl = ttl 1000 }, t0 + ms 9000)) |> expect [ 1, ClientError InvalidTime ]
            |> send 10_000 1 (Schedule({ spec 1 "q" with Ttl = ttl 1001 }, t0 + ms 9000)) |> expect [ 1, Done ]
            |> send 10_000 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> ignore
        }
        test "a worker chooses among every job that becomes ready at the same instant" {
            connected [ 1; 2 ]
            |> send 0 2 (lease [ "q" ] 5000)
            |> send 1 1 (Schedule(spec 1 "q", t0 + ms 100))
            |> send 2 1 (Schedule({ spec 2 "q" with Priority = 5 }, t0 + ms 100))
            |> at 100 Tick |> expectLeased 2 2
            |> ignore
        }
        test "workers waiting on several names: the earliest is served first, from all its names" {
            connected [ 1; 2; 3 ]
            |> send 0 2 (lease [ "b" ] 5000)
            |> send 1 3 (lease [ "a"; "b" ] 5000)
            |> send 2 1 (Schedule(spec 1 "a", t0 + ms 100))
            |> send 3 1 (Schedule({ spec 2 "b" with Priority = 5 }, t0 + ms 100))
            |> at 100 Tick |> expectLeased 2 2 |> expectLeased 3 1
            |> ignore
        }
        test "a job ready at the instant a wait runs out still reaches the waiter" {
            connected [ 1; 2 ]
            |> send 0 1 (Schedule(spec 1 "q", t0 + ms 100))
            |> send 0 2 (lease [ "q" ] 100)
            |> at 100 Tick |> expectLeased 2 1
            |> ignore
        }
    ]

let waiting =
    testList "waiting" [
        test "a blocked lease is woken by an add, earliest waiter first, per name" {
            connected [ 1; 2; 3; 4 ]
            |> send 0 2 (lease [ "a"; "b" ] 5000) |> expect []
            |> send 1 3 (lease [ "b" ] 5000) |> expect []
            |> send 2 4 (lease [ "c" ] 5000) |> expect []
            |> send 3 1 (add 1 "b") |> expectLeased 2 1
            |> send 4 1 (add 2 "b") |> expectLeased 3 2
            |> send 5 1 (add 3 "a") |> expect [ 1, Done ]
            |> ignore
        }
        test "a lease wait runs out with -TIMEOUT; wait 0 answers at once" {
            connected [ 1 ]
            |> send 0 1 (lease [ "q" ] 0) |> expect [ 1, Timeout ]
            |> send 0 1 (lease [ "q" ] 300) |> expect []
            |> at 299 Tick |> expect []
            |> at 300 Tick |> expect [ 1, Timeout ]
            |> send 301 1 (add 1 "q") |> expect [ 1, Done ]
            |> ignore
        }
        test "a requeued job goes to a waiting worker" {
            connected [ 1; 2 ]
            |> send 0 1 (add 1 "q") |> send 0 1 (lease [ "q" ] 0)
            |> send 10 2 (lease [ "q" ] 5000) |> expect []
            |> at 1000 Tick |> expectLeased 2 1
            |> ignore
        }
        test "every result waiter gets the result; a wait of 0 does not wait" {
            connected [ 1; 2; 3 ]
            |> send 0 1 (add 1 "q")
            |> send 1 1 (result 1 0) |> expect [ 1, Timeout ]
            |> send 1 2 (result 1 5000) |> send 1 3 (result 1 5000) |> expect []
            |> send 2 1 (complete 1 "r")
            |> expect [ 1, Done; 2, ResultOf(jobId 1, success "r"); 3, ResultOf(jobId 1, success "r") ]
            |> ignore
        }
        test "waiters on a deleted job are told it is gone" {
            connected [ 1; 2 ]
            |> send 0 1 (add 1 "q") |> send 1 2 (result 1 5000)
            |> send 2 1 (Delete(jobId 1)) |> expect [ 1, Done; 2, NotFound ]
            |> at 6000 Tick |> expect []
            |> ignore
        }
        test "a result wait runs out" {
            connected [ 1 ]
            |> send 0 1 (add 1 "q") |> send 1 1 (result 1 100)
            |> at 101 Tick |> expect [ 1, Timeout ]
            |> ignore
        }
        test "a disconnect ends that connection's wait; the job goes to the next worker" {
            connected [ 1; 2; 3 ]
            |> send 0 2 (lease [ "q" ] 5000) |> send 1 3 (lease [ "q" ] 5000)
            |> at 2 (Disconnect 2) |> expect []
            |> send 3 1 (add 1 "q") |> expectLeased 3 1
            |> fun sim -> Expect.equal sim.State.Clients (set [ 1L; 3L ]) "clients"; sim
            |> ignore
        }
        test "a deleted leased job: the worker's complete is not found" {
            connected [ 1 ]
            |> send 0 1 (add 1 "q") |> send 0 1 (lease [ "q" ] 0)
            |> send 1 1 (Delete(jobId 1)) |> expect [ 1, Done ]
            |> send 2 1 (complete 1 "") |> expect [ 1, NotFound ]
            |> ignore
        }
    ]

let running =
    testList "run" [
        test "a run is answered when a worker completes it, and its job is then gone" {
            connected [ 1; 2 ]
            |> send 0 1 (run 1 "q" 5000 1000) |> expect []
            |> send 1 2 (lease [ "q" ] 0) |> expectLeased 2 1
            |> send 2 2 (complete 1 "pong") |> expect [ 1, ResultOf(jobId 1, success "pong"); 2, Done ]
            |> send 3 2 (result 1 0) |> expect [ 2, NotFound ]
            |> fun sim -> Expect.isEmpty sim.State.Queues "no queue left"; sim
            |> ignore
        }
        test "a run's failure is its answer" {
            connected [ 1; 2 ]
            |> send 0 1 (run 1 "q" 5000 1000)
            |> send 1 2 (fail 1 "bad") |> expect [ 1, ResultOf(jobId 1, failure "bad"); 2, Done ]
            |> ignore
        }
        test "a run nobody leases times out and its job goes" {
            connected [ 1; 2 ]
            |> send 0 1 (run 1 "q" 300 1000) |> send 1 2 (result 1 5000)
            |> at 300 Tick |> expect [ 1, Timeout; 2, NotFound ]
            |> send 301 2 (Inspect(InspectJob(jobId 1))) |> expect [ 2, NotFound ]
            |> ignore
        }
        test "a run leased at its timeout waits for the worker" {
            connected [ 1; 2 ]
            |> send 0 1 (run 1 "q" 300 1000) |> send 100 2 (lease [ "q" ] 0)
            |> at 300 Tick |> expect []
            |> send 900 2 (complete 1 "late") |> expect [ 1, ResultOf(jobId 1, success "late"); 2, Done ]
            |> ignore
        }
        test "a run leased at its timeout ends with the lease's TTR, without a requeue" {
            connected [ 1; 2 ]
            |> send 0 1 (run 1 "q" 300 1000) |> send 100 2 (lease [ "q" ] 0)
            |> at 1100 Tick |> expect [ 1, Timeout ]
            |> send 1101 2 (lease [ "q" ] 0) |> expect [ 2, Timeout ]
            |> fun sim -> Expect.isEmpty sim.State.Jobs "the run job is gone"; sim
            |> ignore
        }
        test "within a run's wait a TTR timeout requeues as usual" {
            connected [ 1; 2 ]
            |> send 0 1 (run 1 "q" 5000 100) |> send 1 2 (lease [ "q" ] 0)
            |> at 101 Tick |> expect []
            |> send 102 2 (lease [ "q" ] 0) |> expectLeased 2 1
            |> ignore
        }
        test "a run with wait 0 is taken by a waiting worker, or times out at once" {
            connected [ 1; 2 ]
            |> send 0 2 (lease [ "q" ] 5000)
            |> send 1 1 (run 1 "q" 0 1000) |> expectLeased 2 1
            |> send 2 2 (complete 1 "x") |> expect [ 1, ResultOf(jobId 1, success "x"); 2, Done ]
            |> send 3 1 (run 2 "q" 0 1000) |> expect [ 1, Timeout ]
            |> fun sim -> Expect.isEmpty sim.State.Jobs "no jobs left"; sim
            |> ignore
        }
        test "a run's client disconnecting removes its job; other waiters are told" {
            connected [ 1; 2 ]
            |> send 0 1 (run 1 "q" 5000 1000) |> send 1 2 (result 1 5000)
            |> at 2 (Disconnect 1) |> expect [ 2, NotFound ]
            |> fun sim -> Expect.isEmpty sim.State.Jobs "no jobs left"; sim
            |> ignore
        }
        test "a run whose job is deleted is not found" {
            connected [ 1; 2 ]
            |> send 0 1 (run 1 "q" 5000 1000)
            |> send 1 2 (Delete(jobId 1)) |> expect [ 1, NotFound; 2, Done ]
            |> ignore
        }
        test "run jobs stay out of the command log" {
            let sim = connected [ 1; 2 ] |> send 0 1 (run 1 "q" 5000 1000)
            Expect.isEmpty (List.choose Event.logged sim.Events) "nothing logged for run"
            let sim = sim |> send 1 2 (add 2 "q")
            Expect.hasLength (List.choose Event.logged sim.Events) 1 "an add is logged"
        }
    ]

let page offset limit = { Offset = offset; Limit = limit }

let inspecting =
    testList "inspect" [
        test "a queue exists while it holds unfinished jobs or waiting workers" {
            connected [ 1; 2 ]
            |> send 0 1 (Inspect(InspectQueue(name "q"))) |> expect [ 1, NotFound ]
            |> send 0 2 (lease [ "q" ] 5000)
            |> send 1 1 (Inspect(InspectQueue(name "q")))
            |> expect [ 1, QueueRecords [ { Name = name "q"; Ready = 0; Scheduled = 0; Leased = 0; Workers = 1; Failed = 0 } ] ]
            |> send 2 1 (add 1 "q") |> send 2 1 (add 2 "q") |> send 2 1 (Schedule(spec 3 "q", t0 + ms 9000))
            |> send 3 1 (Inspect(InspectQueue(name "q")))
            |> expect [ 1, QueueRecords [ { Name = name "q"; Ready = 1; Scheduled = 1; Leased = 1; Workers = 0; Failed = 0 } ] ]
            |> send 4 1 (complete 1 "") |> send 4 1 (complete 2 "") |> send 4 1 (Delete(jobId 3))
            |> send 5 1 (Inspect(InspectQueue(name "q"))) |> expect [ 1, NotFound ]
            |> ignore
        }
        test "jobs are listed in lease order and paged; queues in byte order of name" {
            connected [ 1 ]
            |> send 0 1 (add 1 "b") |> send 1 1 (addWith 2 "b" (fun s -> { s with Priority = 9 })) |> send 2 1 (add 3 "b")
            |> send 3 1 (add 4 "a") |> send 3 1 (add 5 "B")
            |> send 4 1 (Inspect(InspectJobs(name "b", page 0u 100))) |> expectRecords 1 [ 2; 1; 3 ]
            |> send 4 1 (Inspect(InspectJobs(name "b", page 1u 1))) |> expectRecords 1 [ 1 ]
            |> send 4 1 (Inspect(InspectJobs(name "b", page 4_000_000_000u 10))) |> expectRecords 1 []
            |> send 4 1 (Inspect(InspectJobs(name "zzz", page 0u 10))) |> expect [ 1, NotFound ]
            |> send 4 1 (Inspect(InspectQueues(page 0u 2)))
            |> fun sim ->
                match repliesTo 1 sim with
                | [ QueueRecords qs ] -> Expect.equal (qs |> List.map (fun q -> q.Name.Value)) [ "B"; "a" ] "byte order"
                | other -> failtestf "%A" other
                sim
            |> ignore
        }
        test "the server record counts clients, evictions and jobs" {
            connected [ 1; 2; 3 ]
            |> at 0 (Disconnect 3)
            |> send 0 1 (addWith 1 "q" (fun s -> { s with Ttl = ttl 10 })) |> send 0 1 (add 2 "q")
            |> send 20 1 (Inspect InspectServer)
            |> expect
                [ 1,
                  ServerRecord
                      { ActiveClients = 2; EvictedJobs = 1L; Started = t0; Jobs = 1; Queues = 1; FailedJobs = 0
                        StoredBytes = 5L; MaxStoredBytes = Limits.none.MaxStoredBytes; HostKeys = []
                        Node = NodeStatus.standalone } ]
            |> ignore
        }
    ]

let folding =
    testList "evolve" [
        test "folding a decision's events over the old state gives its new state" {
            let steps =
                [ 0L, Request(1, add 1 "q"); 0L, Request(2, lease [ "q" ] 0); 5L, Request(3, result 1 1000)
                  10L, Request(1, run 2 "q" 100 50); 20L, Request(2, lease [ "q" ] 0); 200L, Tick
                  300L, Request(2, complete 1 "r"); 400L, Disconnect 3 ]
            steps
            |> List.fold
                (fun (state: State) (offset, input) ->
                    let d = Decide.decide Limits.none (t0 + ms offset) input state
                    Expect.equal (Evolve.replay state d.Events) d.State (sprintf "after %A" input)
                    d.State)
                (connected [ 1; 2; 3 ]).State
            |> ignore
        }
    ]

let withoutLog =
    let refuse offset input (sim: Sim) =
        let d = Decide.decideWithoutLog Limits.none "disk full" (t0 + ms offset) input sim.State
        { State = d.State; Replies = d.Replies; Events = d.Events }
    testList "without the command log" [
        test "a change is refused and changes nothing; a read is answered" {
            let sim = connected [ 1 ] |> send 0 1 (add 1 "q")
            let after = sim |> refuse 1 (Request(1, add 2 "q")) |> expect [ 1, ServerError "disk full" ]
            Expect.equal after.State sim.State "nothing changed"
            after
            |> refuse 2 (Request(1, Inspect(InspectQueue(name "q"))))
            |> expect [ 1, QueueRecords [ { Name = name "q"; Ready = 1; Scheduled = 0; Leased = 0; Workers = 0; Failed = 0 } ] ]
            |> refuse 3 (Request(1, lease [ "other" ] 0)) |> expect [ 1, Timeout ]
            |> ignore
        }
        test "a lease, which the log records, is refused too" {
            connected [ 1 ] |> send 0 1 (add 1 "q")
            |> refuse 1 (Request(1, lease [ "q" ] 0)) |> expect [ 1, ServerError "disk full" ]
            |> expectJob 1 (fun j -> Expect.equal (Job.stateCode j) 0 "still new")
            |> ignore
        }
        test "due timers that would be logged stay due; waits still run out" {
            let sim =
                connected [ 1; 2 ]
                |> send 0 1 (addWith 1 "q" (fun s -> { s with Ttl = ttl 100 }))
                |> send 0 2 (lease [ "other" ] 100)
            let refused = sim |> refuse 200 Tick |> expect []
            Expect.equal refused.State sim.State "the expiry waits, and so does everything due with it"
            let waitOnly = connected [ 2 ] |> send 0 2 (lease [ "other" ] 100) |> refuse 200 Tick |> expect [ 2, Timeout ]
            Expect.isEmpty waitOnly.State.Waits "the wait ran out"
        }
    ]

let storedBytesLimit =
    // Payloads "job 1" and "job 2" are 5 bytes each, a run's "run" 3: one job fits, two do not.
    let limits = { MaxStoredBytes = 7L }
    let within offset input (sim: Sim) =
        let d = Decide.decide limits (t0 + ms offset) input sim.State
        { State = d.State; Replies = d.Replies; Events = d.Events }
    let outOfMemory = ServerError "Out of memory: stored payloads and results would exceed 7 bytes"
    let stored (sim: Sim) = sim.State.StoredBytes
    testList "the stored-bytes limit" [
        test "payloads count while a job is held, results once it has finished" {
            let sim = connected [ 1 ] |> send 0 1 (add 1 "q")
            Expect.equal (stored sim) 5L "a payload"
            let sim = sim |> send 1 1 (lease [ "q" ] 0) |> send 2 1 (complete 1 "done")
            Expect.equal (stored sim) 9L "a payload and its result"
            let sim = sim |> send 3 1 (Delete(jobId 1))
            Expect.equal (stored sim) 0L "nothing once the job is gone"
        }
        test "a new job past the limit is refused and changes nothing" {
            let sim = connected [ 1 ] |> within 0 (Request(1, add 1 "q"))
            let refused = sim |> within 1 (Request(1, add 2 "q")) |> expect [ 1, outOfMemory ]
            Expect.equal refused.State sim.State "nothing changed"
            Expect.isEmpty refused.Events "no events"
            refused |> within 2 (Request(1, Schedule(spec 2 "q", t0 + ms 1000L))) |> expect [ 1, outOfMemory ] |> ignore
            refused |> within 2 (Request(1, run 2 "q" 100 100)) |> expect [ 1, outOfMemory ] |> ignore
        }
        test "Limits.refuses, the host's reading of a refusal, holds exactly when the limit refused" {
            let sim = connected [ 1 ] |> within 0 (Request(1, add 1 "q"))
            for command in [ add 2 "q"; Schedule(spec 2 "q", t0 + ms 1000L); run 2 "q" 100 100 ] do
                let refused = sim |> within 1 (Request(1, command)) |> expect [ 1, outOfMemory ]
                Expect.isTrue (Limits.refuses limits refused.State.StoredBytes command) $"refused: %A{command}"
            let roomy = connected [ 1 ]
            Expect.isFalse (Limits.refuses limits roomy.State.StoredBytes (add 2 "q")) "an add that fits"
            for command in [ lease [ "q" ] 0; complete 1 "a result of 20 bytes"; Delete(jobId 1); Inspect InspectServer ] do
                Expect.isFalse (Limits.refuses { MaxStoredBytes = 0L } 1_000L command) $"never refused: %A{command}"
        }
        test "a client error comes before the limit" {
            connected [ 1 ] |> within 0 (Request(1, add 1 "q"))
            |> within 1 (Request(1, add 1 "q")) |> expect [ 1, ClientError DuplicateJob ]
            |> ignore
        }
        test "a result goes past the limit; deleting a job makes room again" {
            connected [ 1 ] |> within 0 (Request(1, add 1 "q"))
            |> within 1 (Request(1, lease [ "q" ] 0))
            |> within 2 (Request(1, complete 1 "a result of 20 bytes")) |> expect [ 1, Done ]
            |> fun sim -> (Expect.equal (stored sim) 25L "past the limit"; sim)
            |> within 3 (Request(1, add 2 "q")) |> expect [ 1, outOfMemory ]
            |> within 4 (Request(1, Delete(jobId 1))) |> expect [ 1, Done ]
            |> within 5 (Request(1, add 2 "q")) |> expect [ 1, Done ]
            |> ignore
        }
        test "inspect server shows the stored bytes and the limit" {
            connected [ 1 ] |> within 0 (Request(1, add 1 "q"))
            |> within 1 (Request(1, Inspect InspectServer))
            |> fun sim ->
                match repliesTo 1 sim with
                | [ ServerRecord s ] ->
                    Expect.equal (s.StoredBytes, s.MaxStoredBytes) (5L, 7L) "stored-bytes and max-stored-bytes"
                | other -> failtestf "%A" other
        }
    ]

[<Tests>]
let tests =
    testList "decider" [ lifecycle; expiry; scheduling; waiting; running; inspecting; folding; withoutLog; storedBytesLimit ]
