/// Back-off, dead jobs, requeue, touch and recurring definitions, driven through the
/// decider with explicit instants and explicit random draws.
module Workq.Tests.FailedAndRecurringDeciderTests

open Expecto
open Workq.Domain
open Workq.Tests.DeciderTests

let delay n = RetryDelay.tryCreate (ms n) |> Option.get

/// A job that may fail `fails` times, with a back-off of `backoffMs`.
let retrying n queue fails backoffMs =
    addWith n queue (fun s -> { s with MaxFails = limit fails; Backoff = delay backoffMs })

/// Feeds an input at `t0 + offset` ms, with the host's random draw `draw`.
let drawn offset (draw: uint32) input (sim: Sim) =
    let d = Decide.decideWith Limits.none (Jitter.ofDraw draw) (t0 + ms offset) input sim.State
    { State = d.State; Replies = d.Replies; Events = d.Events }

let failIn n (result: string) retryIn = FailRetryIn(jobId n, bytes result, delay retryIn)

let expectStatus n (status: Status) sim = expectJob n (fun j -> Expect.equal j.Status status $"job {n}'s status") sim

let logged (sim: Sim) = sim.Events |> List.choose Event.logged

let expectLogged (events: JobEvent list) sim =
    Expect.equal (logged sim) events "logged events"
    sim

let backoff =
    testList "back-off" [
        test "a retried fail waits its back-off among the scheduled jobs, then is leased again" {
            connected [ 1 ]
            |> send 0 1 (retrying 1 "q" 3 1000)
            |> fun sim -> Expect.equal (logged sim) [ JobAddedWithBackoff(job 1 sim, delay 1000) ] "added with its back-off"; sim
            |> send 0 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> send 10 1 (fail 1 "busy") |> expect [ 1, Done ]
            |> expectLogged [ JobRetryScheduled(jobId 1, t0 + ms 10, t0 + ms 1010) ]
            |> expectStatus 1 (Delayed(t0 + ms 1010))
            |> expectJob 1 (fun j -> Expect.equal (Job.stateCode j, j.Fails) (3, 1) "pending, one fail")
            |> send 20 1 (Inspect(InspectScheduledJobs(name "q", page 0u 10))) |> expectRecords 1 [ 1 ]
            |> send 20 1 (Inspect(InspectQueue(name "q")))
            |> expect [ 1, QueueRecords [ { Name = name "q"; Ready = 0; Scheduled = 1; Leased = 0; Workers = 0; Failed = 0 } ] ]
            |> send 1009 1 (lease [ "q" ] 0) |> expect [ 1, Timeout ]
            |> send 1010 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> ignore
        }
        test "a waiting worker gets the job when its back-off ends" {
            connected [ 1; 2 ]
            |> send 0 1 (retrying 1 "q" 3 500) |> send 0 1 (lease [ "q" ] 0)
            |> send 0 1 (fail 1 "busy")
            |> send 100 2 (lease [ "q" ] 5000) |> expect []
            |> at 500 Tick |> expectLeased 2 1
            |> ignore
        }
        test "each further fail doubles the wait" {
            let failAt offset sim = sim |> send offset 1 (lease [ "q" ] 0) |> send offset 1 (fail 1 "again")
            connected [ 1 ]
            |> send 0 1 (retrying 1 "q" 10 1000)
            |> failAt 0 |> expectStatus 1 (Delayed(t0 + ms 1000))
            |> failAt 1000 |> expectStatus 1 (Delayed(t0 + ms 3000))
            |> failAt 3000 |> expectStatus 1 (Delayed(t0 + ms 7000))
            |> failAt 7000 |> expectStatus 1 (Delayed(t0 + ms 15000))
            |> ignore
        }
        test "the doubled wait stops at an hour" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with MaxFails = limit 10; Backoff = delay 3_000_000; Ttl = ttl 86_400_000 }))
            |> send 0 1 (fail 1 "once") |> expectStatus 1 (Delayed(t0 + ms 3_000_000))
            |> send 1 1 (fail 1 "twice") |> expectStatus 1 (Delayed(t0 + ms 3_600_001))
            |> ignore
        }
        test "the host's draw moves the wait within a fifth either way" {
            let after (draw: uint32) =
                connected [ 1 ] |> send 0 1 (retrying 1 "q" 3 1000) |> drawn 0 draw (Request(1, fail 1 "busy")) |> job 1
            Expect.equal (after 0u).Status (Delayed(t0 + ms 800)) "the lowest draw: 800 ms"
            Expect.equal (after System.UInt32.MaxValue).Status (Delayed(t0 + ms 1200)) "the highest draw: 1200 ms"
            Expect.equal (after 0x8000_0000u).Status (Delayed(t0 + ms 1000)) "the middle draw: 1000 ms"
            Expect.equal (after 0x4000_0000u).Status (Delayed(t0 + ms 900)) "a quarter of the way: 900 ms"
        }
        test "the wait never runs past the TTL" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with MaxFails = limit 3; Backoff = delay 10_000; Ttl = ttl 5000 }))
            |> send 1000 1 (fail 1 "busy") |> expectStatus 1 (Delayed(t0 + ms 4999))
            |> send 4999 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> ignore
        }
        test "-retry-in sets this retry's wait exactly, back-off or not; 0 is at once" {
            connected [ 1 ]
            |> send 0 1 (retrying 1 "q" 5 1000) |> send 0 1 (addWith 2 "q" (fun s -> { s with MaxFails = limit 5 }))
            |> drawn 0 0u (Request(1, failIn 1 "later" 30_000)) |> expect [ 1, Done ]
            |> expectLogged [ JobRetryScheduled(jobId 1, t0, t0 + ms 30_000) ]
            |> send 0 1 (failIn 2 "later" 250) |> expectStatus 2 (Delayed(t0 + ms 250))
            |> send 10 1 (failIn 1 "now" 0) |> expectStatus 1 Ready
            |> expectLogged [ JobRetried(jobId 1, t0 + ms 10) ]
            |> ignore
        }
        test "without a back-off or -retry-in a retried fail is back in its place at once" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with MaxFails = limit 3 })) |> send 1 1 (add 2 "q")
            |> send 2 1 (lease [ "q" ] 0) |> send 3 1 (fail 1 "x")
            |> expectLogged [ JobRetried(jobId 1, t0 + ms 3) ]
            |> send 4 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> ignore
        }
        test "a job still waiting for its scheduled time keeps it" {
            connected [ 1 ]
            |> send 0 1 (Schedule({ spec 1 "q" with MaxFails = limit 3; Backoff = delay 100_000 }, t0 + ms 5000))
            |> send 10 1 (fail 1 "early") |> expectStatus 1 Waiting
            |> send 5000 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> ignore
        }
        test "a final fail does not wait" {
            connected [ 1 ]
            |> send 0 1 (retrying 1 "q" 1 1000) |> send 0 1 (fail 1 "no")
            |> expectStatus 1 (Finished(failure "no"))
            |> ignore
        }
    ]

let deadJobs =
    testList "dead jobs" [
        test "failed jobs, newest first with their results, whether or not their queue exists" {
            let sim =
                connected [ 1 ]
                |> send 0 1 (add 1 "q") |> send 0 1 (add 2 "q") |> send 0 1 (addWith 3 "q" (fun s -> { s with MaxAttempts = limit 1 }))
                |> send 10 1 (fail 1 "first") |> send 20 1 (fail 2 "second")
                |> send 20 1 (lease [ "q" ] 0) |> expectLeased 1 3
                |> at 1020 Tick
                |> send 1020 1 (Inspect(InspectQueue(name "q"))) |> expect [ 1, NotFound ]
            sim
            |> send 1020 1 (Inspect(InspectFailedJobs(name "q", page 0u 10)))
            |> expect
                [ 1,
                  FailedRecords
                      [ { Job = job 3 sim; FailedAt = t0 + ms 1020 }
                        { Job = job 2 sim; FailedAt = t0 + ms 20 }
                        { Job = job 1 sim; FailedAt = t0 + ms 10 } ] ]
            |> expectStatus 3 (Finished(failure ""))
            |> send 1020 1 (Inspect(InspectFailedJobs(name "q", page 1u 1)))
            |> expect [ 1, FailedRecords [ { Job = job 2 sim; FailedAt = t0 + ms 20 } ] ]
            |> send 1020 1 (Inspect(InspectFailedJobs(name "other", page 0u 10))) |> expect [ 1, FailedRecords [] ]
            |> ignore
        }
        test "queues and the server count their failed jobs" {
            connected [ 1 ]
            |> send 0 1 (add 1 "q") |> send 0 1 (add 2 "q") |> send 0 1 (add 3 "r")
            |> send 1 1 (fail 1 "x") |> send 1 1 (fail 3 "y")
            |> send 2 1 (Inspect(InspectQueue(name "q")))
            |> expect [ 1, QueueRecords [ { Name = name "q"; Ready = 1; Scheduled = 0; Leased = 0; Workers = 0; Failed = 1 } ] ]
            |> send 2 1 (Inspect InspectServer)
            |> expect
                [ 1,
                  ServerRecord
                      { ActiveClients = 1; EvictedJobs = 0L; Started = t0; Jobs = 3; Queues = 1; FailedJobs = 2
                        // Three payloads of 5 bytes, two results of 1.
                        StoredBytes = 17L; MaxStoredBytes = Limits.none.MaxStoredBytes; HostKeys = []
                        Node = NodeStatus.standalone } ]
            |> ignore
        }
        test "a failed job leaves the list when it is deleted or expires" {
            connected [ 1 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with Ttl = ttl 100 })) |> send 0 1 (add 2 "q")
            |> send 1 1 (fail 1 "x") |> send 1 1 (fail 2 "y")
            |> send 2 1 (Delete(jobId 2))
            |> send 200 1 (Inspect(InspectFailedJobs(name "q", page 0u 10))) |> expect [ 1, FailedRecords [] ]
            |> fun sim -> Expect.equal (FailedJobs.total sim.State.Failed) 0 "none left"; sim
            |> ignore
        }
        test "requeue: a new attempt series, in its place as at a fresh add, its TTL running on" {
            let sim =
                connected [ 1 ]
                |> send 0 1 (retrying 1 "q" 2 500)
                |> send 0 1 (lease [ "q" ] 0) |> send 0 1 (fail 1 "x") |> send 500 1 (lease [ "q" ] 0)
                |> send 600 1 (fail 1 "y") |> expectStatus 1 (Finished(failure "y"))
                |> send 700 1 (add 2 "q")
                |> send 1000 1 (Requeue(jobId 1, None)) |> expect [ 1, Done ]
            sim
            |> expectLogged [ JobRequeued(jobId 1, t0 + ms 1000, ttl 59_000, 2L) ]
            |> expectJob 1 (fun j ->
                Expect.equal (j.Attempts, j.Fails, j.Status, j.Seq) (0, 0, Ready, 2L) "no attempts or fails, ready, a new arrival number"
                Expect.equal (j.Origin, Job.expiresAt j) (Scheduled(ttl 59_000, t0 + ms 1000), Some(t0 + ms 60_000)) "its TTL runs on"
                Expect.equal j.Created t0 "created when it was added")
            |> send 1000 1 (Inspect(InspectFailedJobs(name "q", page 0u 10))) |> expect [ 1, FailedRecords [] ]
            |> send 1001 1 (lease [ "q" ] 0) |> expectLeased 1 2
            |> send 1001 1 (lease [ "q" ] 0) |> expectLeased 1 1
            |> send 1001 1 (fail 1 "z") |> expectStatus 1 (Delayed(t0 + ms 1501))
            |> ignore
        }
        test "requeue -ttl: a new TTL, counted from the requeue" {
            connected [ 1 ]
            |> send 0 1 (add 1 "q") |> send 0 1 (fail 1 "x")
            |> send 50_000 1 (Requeue(jobId 1, Some(ttl 600_000))) |> expect [ 1, Done ]
            |> expectJob 1 (fun j -> Expect.equal (Job.expiresAt j) (Some(t0 + ms 650_000)) "expires 600 s after the requeue")
            |> at 70_000 Tick
            |> expectJob 1 (fun j -> Expect.equal j.Status Ready "still there after its first TTL")
            |> ignore
        }
        test "requeue of a job that has not failed, or of none" {
            connected [ 1; 2 ]
            |> send 0 1 (add 1 "q") |> send 0 1 (add 2 "q") |> send 0 1 (complete 2 "ok")
            |> send 1 1 (Requeue(jobId 1, None)) |> expect [ 1, ClientError NotFailed ]
            |> send 1 1 (lease [ "q" ] 0) |> send 1 1 (Requeue(jobId 1, None)) |> expect [ 1, ClientError NotFailed ]
            |> send 1 1 (Requeue(jobId 2, None)) |> expect [ 1, ClientError NotFailed ]
            |> send 1 1 (Requeue(jobId 9, None)) |> expect [ 1, NotFound ]
            |> ignore
        }
        test "requeue-failed: every failed job of a name, oldest failure first, in one decision" {
            connected [ 1; 2 ]
            |> send 0 1 (add 1 "q") |> send 0 1 (add 2 "q") |> send 0 1 (add 3 "r")
            |> send 10 1 (fail 2 "x") |> send 20 1 (fail 1 "y") |> send 20 1 (fail 3 "z")
            |> send 30 2 (lease [ "q" ] 1000)
            |> send 40 1 (RequeueFailed(name "q", None))
            |> fun sim -> Expect.equal (repliesTo 1 sim) [ Requeued(name "q", 2) ] "two requeued"; sim
            |> expectLeased 2 2
            |> expectLogged
                [ JobRequeued(jobId 2, t0 + ms 40, ttl 59_960, 3L)
                  JobRequeued(jobId 1, t0 + ms 40, ttl 59_960, 4L)
                  JobLeased(jobId 2, t0 + ms 40) ]
            |> expectStatus 3 (Finished(failure "z"))
            |> send 40 1 (RequeueFailed(name "q", None)) |> expect [ 1, Requeued(name "q", 0) ]
            |> ignore
        }
    ]

let touching =
    testList "touch and counted leases" [
        test "touch starts a leased job's lease again: its own TTR, or the one given" {
            connected [ 1 ]
            |> send 0 1 (add 1 "q") |> send 0 1 (lease [ "q" ] 0)
            |> send 800 1 (Touch(jobId 1, None)) |> expect [ 1, Done ]
            |> expectLogged [ LeaseExtended(jobId 1, t0 + ms 800, t0 + ms 1800) ]
            |> at 1500 Tick |> expectStatus 1 (Leased(t0 + ms 1800))
            |> send 1700 1 (Touch(jobId 1, Some(ttr 5000))) |> expectStatus 1 (Leased(t0 + ms 6700))
            |> expectJob 1 (fun j -> Expect.equal (j.Ttr, j.Attempts) (ttr 1000, 1) "its TTR and attempts as they were")
            |> at 6700 Tick |> expectStatus 1 Ready
            |> ignore
        }
        test "touch of a job not leased is not found" {
            connected [ 1 ]
            |> send 0 1 (add 1 "q")
            |> send 1 1 (Touch(jobId 1, None)) |> expect [ 1, NotFound ]
            |> send 1 1 (lease [ "q" ] 0) |> send 2 1 (complete 1 "")
            |> send 3 1 (Touch(jobId 1, None)) |> expect [ 1, NotFound ]
            |> send 3 1 (Touch(jobId 9, None)) |> expect [ 1, NotFound ]
            |> ignore
        }
        test "a counted lease answers with the job's attempts and fails, at once or after a wait" {
            connected [ 1; 2 ]
            |> send 0 1 (addWith 1 "q" (fun s -> { s with MaxFails = limit 3 }))
            |> send 0 1 (LeaseCounted([ name "q" ], wait 0))
            |> fun sim ->
                Expect.equal (repliesTo 1 sim) [ LeaseCountedOf(job 1 sim) ] "counted"
                Expect.equal ((job 1 sim).Attempts, (job 1 sim).Fails) (1, 0) "first attempt"
                sim
            |> send 1 1 (fail 1 "x")
            |> send 2 2 (LeaseCounted([ name "r"; name "q" ], wait 1000))
            |> fun sim ->
                Expect.equal (repliesTo 2 sim) [ LeaseCountedOf(job 1 sim) ] "counted"
                Expect.equal ((job 1 sim).Attempts, (job 1 sim).Fails) (2, 1) "second attempt, one fail"
                sim
            |> send 3 1 (LeaseCounted([ name "q" ], wait 50)) |> expect []
            |> send 4 2 (add 2 "q")
            |> fun sim -> Expect.equal (repliesTo 1 sim) [ LeaseCountedOf(job 2 sim) ] "a waiting counted lease"; sim
            |> ignore
        }
    ]

let private key s = name s
let private cron text = Cron.tryParse text |> Option.get

/// Every second, on the second.
let everySecond = cron "*_*_*_*_*_*"

let recurrence k queue (c: Cron) overlap : NewRecurrence =
    { Key = key k; Name = name queue; Ttr = ttr 1000; Ttl = ttl 60_000; Cron = c; Priority = 0; MaxAttempts = Limit.zero
      MaxFails = Limit.zero; Backoff = RetryDelay.zero; Overlap = overlap; Payload = bytes k }

let occurrence k offset = Recurrence.occurrenceId (key k) (t0 + ms offset)

let recurring =
    testList "recurring" [
        test "the stored-bytes limit: a definition counts its payload and expression; a recur or an occurrence past it is left out" {
            let limits = { MaxStoredBytes = 20L }
            let within offset input (sim: Sim) =
                let d = Decide.decide limits (t0 + ms offset) input sim.State
                { State = d.State; Replies = d.Replies; Events = d.Events }
            let sim = connected [ 1 ] |> within 0 (Request(1, Recur(recurrence "tick" "q" everySecond Allow))) |> expect [ 1, Done ]
            Expect.equal sim.State.StoredBytes 15L "the payload \"tick\" and the 11 bytes of the expression"
            let sim = sim |> within 1000 Tick
            Expect.equal sim.State.StoredBytes 19L "and the first occurrence's job"
            let sim = sim |> within 2000 Tick
            Expect.isFalse (SortedTree.containsKey (occurrence "tick" 2000) sim.State.Jobs) "no room for the next one's"
            Expect.equal (logged sim) [ RecurrenceFired(key "tick", t0 + ms 2000, Some(t0 + ms 3000), None) ] "left out, the next one due"
            let another = Recur(recurrence "t2" "q" everySecond Allow)
            let refused = sim |> within 2100 (Request(1, another)) |> expect [ 1, ServerError "Out of memory: stored payloads and results would exceed 20 bytes" ]
            Expect.equal refused.State sim.State "nothing changed"
            Expect.isTrue (Limits.refuses limits sim.State.StoredBytes another) "as Limits.refuses says"
            let sim = sim |> within 2200 (Request(1, Unrecur(key "tick"))) |> expect [ 1, Done ]
            Expect.equal sim.State.StoredBytes 4L "the job's payload alone"
        }

        test "each occurrence adds a job, its id from the key and the occurrence's instant" {
            let sim =
                connected [ 1 ]
                |> send 0 1 (Recur(recurrence "tick" "q" everySecond Allow)) |> expect [ 1, Done ]
                |> at 1000 Tick
            let id = occurrence "tick" 1000
            Expect.equal (id.Guid.Version, id.Guid.Variant >>> 2) (8, 0b10) "a UUID version 8, RFC 9562 variant"
            Expect.equal sim.State.Jobs[id].Created (t0 + ms 1000) "created when it occurs"
            Expect.equal sim.State.Jobs[id].Payload (bytes "tick") "the definition's payload"
            Expect.equal
                (logged sim)
                [ JobAdded sim.State.Jobs[id]; RecurrenceFired(key "tick", t0 + ms 1000, Some(t0 + ms 2000), Some id) ]
                "a job, then the occurrence"
            sim
            |> at 2000 Tick
            |> fun sim ->
                Expect.isTrue (SortedTree.containsKey (occurrence "tick" 2000) sim.State.Jobs) "the next second's job"
                Expect.notEqual (occurrence "tick" 2000) id "another id"
                sim
            |> ignore
        }
        test "an occurrence's id is derived as the protocol describes it" {
            // SHA-256 of the namespace's 16 bytes and `<key> <time>`, the first 16 bytes
            // with version 8 and the RFC 9562 variant.
            let ns = System.Guid.Parse("3c6f1d2a-9b4e-4f0a-8d7c-5e2b1a0f9c84").ToByteArray(bigEndian = true)
            let text = bytes "nightly-report 2026-12-01T02:00:00.000Z"
            let hash = System.Security.Cryptography.SHA256.HashData(Array.append ns text)
            hash[6] <- (hash[6] &&& 0x0Fuy) ||| 0x80uy
            hash[8] <- (hash[8] &&& 0x3Fuy) ||| 0x80uy
            let expected = System.Guid(System.ReadOnlySpan(hash, 0, 16), bigEndian = true)
            let at = Time.ofParts 2026 12 1 2 0 0 "" |> Option.get
            Expect.equal (Recurrence.occurrenceId (key "nightly-report") at).Guid expected "the documented derivation"
            Expect.notEqual (occurrence "tick" 1000) (occurrence "tock" 1000) "another key, another id"
            Expect.notEqual (occurrence "tick" 1000) (occurrence "tick" 1001) "another instant, another id"
        }
        test "a waiting worker is served an occurrence's job at its instant" {
            let sim =
                connected [ 1; 2 ]
                |> send 0 1 (Recur(recurrence "tick" "q" everySecond Allow))
                |> send 500 2 (lease [ "q" ] 5000) |> expect []
                |> at 1000 Tick
            match repliesTo 2 sim with
            | [ LeaseOf j ] -> Expect.equal j.Id (occurrence "tick" 1000) "the occurrence's job"
            | other -> failtestf "expected a lease, got %A" other
        }
        test "skip leaves occurrences out while the last one's job is unfinished" {
            connected [ 1 ]
            |> send 0 1 (Recur(recurrence "tick" "q" everySecond Skip))
            |> at 1000 Tick |> at 2000 Tick |> at 3000 Tick
            |> fun sim ->
                let added = sim.State.Jobs |> Seq.filter (fun kv -> kv.Value.Name = name "q") |> Seq.length
                Expect.equal added 1 "only the first"
                Expect.equal (logged sim) [ RecurrenceFired(key "tick", t0 + ms 3000, Some(t0 + ms 4000), None) ] "skipped"
                sim
            |> send 3500 1 (Complete(occurrence "tick" 1000, bytes "done"))
            |> at 4000 Tick
            |> fun sim ->
                Expect.isTrue (SortedTree.containsKey (occurrence "tick" 4000) sim.State.Jobs) "the next after it finished"
                sim
            |> ignore
        }
        test "allow adds every occurrence" {
            connected [ 1 ]
            |> send 0 1 (Recur(recurrence "tick" "q" everySecond Allow))
            |> at 1000 Tick |> at 2000 Tick |> at 3000 Tick
            |> fun sim -> Expect.equal (sim.State.Jobs.Count) 3 "three jobs"
        }
        test "occurrences missed while the server was down run once, then on schedule" {
            let sim =
                connected [ 1 ]
                |> send 0 1 (Recur(recurrence "tick" "q" everySecond Allow))
                |> at 10_500 Tick
            Expect.equal sim.State.Jobs.Count 1 "one job for the ten missed seconds"
            Expect.isTrue (SortedTree.containsKey (occurrence "tick" 1000) sim.State.Jobs) "the first missed one's"
            Expect.equal sim.State.Jobs[occurrence "tick" 1000].Created (t0 + ms 10_500) "created as it runs"
            Expect.equal sim.State.Recurrences[key "tick"].Next (Some(t0 + ms 11_000)) "then the next second after now"
        }
        test "recur replaces a definition of the same key; unrecur removes it and keeps its jobs" {
            connected [ 1 ]
            |> send 0 1 (Recur(recurrence "tick" "q" everySecond Allow))
            |> at 1000 Tick
            |> send 1200 1 (Recur({ recurrence "tick" "r" (cron "0_*_*_*_*_*") Allow with Priority = 3 }))
            |> fun sim ->
                let r = sim.State.Recurrences[key "tick"]
                Expect.equal (r.Spec.Name, r.Spec.Priority, r.Next) (name "r", 3, Some(t0 + ms 60_000)) "the new definition"
                Expect.equal r.Last (Some(occurrence "tick" 1000)) "the last occurrence kept, for skip"
                sim
            |> send 1300 1 (Unrecur(key "tick")) |> expect [ 1, Done ]
            |> expectLogged [ RecurrenceRemoved(key "tick", t0 + ms 1300) ]
            |> send 1300 1 (Unrecur(key "tick")) |> expect [ 1, NotFound ]
            |> at 60_000 Tick
            |> fun sim ->
                Expect.equal sim.State.Jobs.Count 1 "the job it added stays, nothing more"
                Expect.isTrue (Timers.count sim.State.Timers = 1) "only that job's TTL"
                sim
            |> ignore
        }
        test "inspect recurring: definitions in byte order of key, paged" {
            let sim =
                connected [ 1 ]
                |> send 0 1 (Recur(recurrence "b" "q" everySecond Allow))
                |> send 0 1 (Recur(recurrence "a" "q" (cron "@hourly") Skip))
            let listed p =
                match repliesTo 1 (sim |> send 0 1 (Inspect(InspectRecurring p))) with
                | [ RecurrenceRecords rs ] -> rs |> List.map (fun r -> r.Spec.Key.Value, r.Next)
                | other -> failtestf "%A" other
            Expect.equal (listed (page 0u 10)) [ "a", Some(t0 + ms 3_600_000); "b", Some(t0 + ms 1000) ] "both"
            Expect.equal (listed (page 1u 10)) [ "b", Some(t0 + ms 1000) ] "offset"
        }
        test "an occurrence's job has the definition's back-off" {
            connected [ 1 ]
            |> send 0 1 (Recur({ recurrence "tick" "q" everySecond Allow with Backoff = delay 250; MaxFails = limit 3 }))
            |> at 1000 Tick
            |> send 1000 1 (Fail(occurrence "tick" 1000, bytes "busy"))
            |> fun sim ->
                Expect.equal sim.State.Jobs[occurrence "tick" 1000].Status (Delayed(t0 + ms 1250)) "waits its back-off"
                sim
            |> ignore
        }
    ]

[<Tests>]
let tests = testList "decider: failed and recurring work" [ backoff; deadJobs; touching; recurring ]
