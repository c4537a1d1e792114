/// Back-off, dead jobs, requeue, touch, counted leases and recurring definitions over
/// TCP: exact bytes in and out, every error, durability across restarts, and the
/// command log's format 2 beside a log of format 1.
module Workq.Tests.FailedAndRecurringTcpTests

open System
open System.Diagnostics
open System.IO
open System.Threading.Tasks
open Expecto
open Workq.Domain
open Workq.Host.CommandLog
open Workq.Host.CommandLog.Tools
open Workq.Tests.TcpTestClient
open Workq.Tests.IntegrationTests
open Workq.Tests.CommandLogTests

let recurReq key name (ttr: int) (ttl: int) (cron: string) (payload: string) flags =
    let flagText = flags |> List.map (fun f -> " " + f) |> String.concat ""
    $"recur {key} {name} {ttr} {ttl} {cron} {payload.Length}{flagText}\r\n{payload}\r\n"

/// The keys of a failed job's record: the job's, then when it failed and its result.
let failedKeys name ttr ttl payload maxAttempts attempts maxFails fails priority (result: string) =
    jobKeys name ttr ttl payload maxAttempts attempts maxFails fails priority 2
    @ [ "failed", anyTime; "result-size", string result.Length; "result", result ]

/// The id of a recurring definition's occurrence at a whole-second UTC time.
let occurrence (key: string) (at: DateTime) =
    string (Recurrence.occurrenceId (JobName.tryCreate key).Value (Time.ofDateTime at))

let private parseTime (text: string) =
    DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", Globalization.CultureInfo.InvariantCulture,
                        Globalization.DateTimeStyles.AdjustToUniversal ||| Globalization.DateTimeStyles.AssumeUniversal)

let private timeShapeOf (text: string) = Text.RegularExpressions.Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

let private waitUntil (t: DateTime) =
    task {
        let left = t - DateTime.UtcNow
        if left > TimeSpan.Zero then do! Task.Delay left
    }

let backoff =
    testList "back-off" [
        clientTest "a failed job waits its back-off among the scheduled jobs, with its retry time, then is leased again" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 5000 60000 "x" [ "-max-fails=3"; "-backoff=400" ]) ok
                do! call c "lease q 0\r\n" (leased id "q" 5000 "x")
                let sw = Stopwatch.StartNew()
                do! call c (failReq id "busy") ok
                do! call c "lease q 0\r\n" timeout
                let! s = inspect c "scheduled-jobs q 0 10"
                Expect.equal (s |> List.map _.Label) [ id ] "waits among the scheduled jobs"
                expectRecord s[0] id (jobKeys "q" 5000 60000 "x" 0 1 3 1 0 3 @ [ "retry-at", anyTime ])
                let! q = inspectOne c "queue q"
                expectRecord q "q" (queueKeys 0 1 0 0)
                do! call c "lease q 5000\r\n" (leased id "q" 5000 "x")
                // 400 ms within a fifth either way.
                expectWaited sw 320.0 "the lease after the back-off"
            })

        clientTest "fail -retry-in names this retry's wait; 0 is at once" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 5000 60000 "x" [ "-max-fails=5"; "-backoff=3600000" ]) ok
                let sw = Stopwatch.StartNew()
                do! call c $"fail {id} 4 -retry-in=300\r\nbusy\r\n" ok
                do! call c "lease q 0\r\n" timeout
                do! call c "lease q 5000\r\n" (leased id "q" 5000 "x")
                expectWaited sw 300.0 "the lease after -retry-in"
                do! call c $"fail {id} 4 -retry-in=0\r\nnope\r\n" ok
                do! call c "lease q 0\r\n" (leased id "q" 5000 "x")
            })

        clientTest "back-off and retry-in errors" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 5000 60000 "x" [ "-backoff=3600001" ]) (clientError "Invalid Backoff")
                do! call c (addReq id "q" 5000 60000 "x" [ "-backoff=-1" ]) (clientError "Invalid Backoff")
                do! call c (scheduleReq id "q" 5000 60000 (timeText DateTime.UtcNow) "x" [ "-backoff=1s" ]) (clientError "Invalid Backoff")
                do! call c (addReq id "q" 5000 60000 "x" [ "-backoff=3600000" ]) ok
                do! call c $"fail {id} 1 -retry-in=3600001\r\nx\r\n" (clientError "Invalid Retry In")
                do! call c $"fail {id} 1 -retry-in=\r\nx\r\n" (clientError "Invalid command flags")
                do! call c $"complete {id} 1 -retry-in=5\r\nx\r\n" (clientError "Invalid command flags")
                do! call c $"run {newId ()} q 1000 0 1 -backoff=5\r\nx\r\n" (clientError "Invalid command flags")
                // The connection goes on.
                do! call c $"fail {id} 1 -retry-in=0\r\nx\r\n" ok
            })
    ]

let deadJobs =
    testList "dead jobs" [
        clientTest "inspect failed-jobs: newest first, with the result, after the queue is gone" (fun _ c ->
            task {
                let a, b = newId (), newId ()
                do! call c (addReq a "mail" 5000 60000 "first" [ "-priority=2" ]) ok
                do! call c (addReq b "mail" 5000 60000 "second" [ "-max-attempts=1" ]) ok
                do! call c (failReq a "bounced") ok
                do! Task.Delay 20
                do! call c "lease mail 0\r\n" (leased b "mail" 5000 "second")
                do! call c (failReq b "timeout") ok
                do! call c "inspect queue mail\r\n" notFound
                let! failed = inspect c "failed-jobs mail 0 10"
                Expect.equal (failed |> List.map _.Label) [ b; a ] "newest first"
                expectRecord failed[0] b (failedKeys "mail" 5000 60000 "second" 1 1 0 1 0 "timeout")
                expectRecord failed[1] a (failedKeys "mail" 5000 60000 "first" 0 0 0 1 2 "bounced")
                let! page = inspect c "failed-jobs mail 1 1"
                Expect.equal (page |> List.map _.Label) [ a ] "paged"
                do! call c "inspect failed-jobs nobody 0 10\r\n" "+OK 0\r\n"
                let! server = inspectOne c "server"
                Expect.equal (value server "failed-jobs") "2" "failed-jobs"
            })

        clientTest "a failed result may hold any bytes" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 5000 60000 "x" []) ok
                do! call c (failReq id "line\r\nbreak\000") ok
                let! failed = inspect c "failed-jobs q 0 1"
                Expect.equal (value failed[0] "result") "line\r\nbreak\000" "the result, raw"
            })

        clientTest "queues count their failed jobs" (fun _ c ->
            task {
                let a = newId ()
                do! call c (addReq a "q" 5000 60000 "x" []) ok
                do! call c (addReq (newId ()) "q" 5000 60000 "y" []) ok
                do! call c (failReq a "no") ok
                let! q = inspectOne c "queue q"
                expectRecord q "q" [ "ready-len", "1"; "scheduled-len", "0"; "leased-len", "0"; "workers", "0"; "failed-len", "1" ]
            })

        clientTest "requeue: a failed job is ready again with no attempts or fails; its errors" (fun _ c ->
            task {
                let a, b, done' = newId (), newId (), newId ()
                do! call c (addReq a "q" 5000 60000 "x" [ "-max-fails=1" ]) ok
                do! call c "lease q 0\r\n" (leased a "q" 5000 "x")
                do! call c (failReq a "no") ok
                do! call c (addReq b "q" 5000 60000 "y" []) ok
                do! call c (addReq done' "q" 5000 60000 "z" []) ok
                do! call c (completeReq done' "ok") ok
                do! call c $"requeue {a}\r\n" ok
                let! r = inspectOne c $"job {a}"
                Expect.equal (value r "attempts", value r "fails", value r "state") ("0", "0", "0") "a new attempt series"
                Expect.isTrue (timeShapeOf (value r "time")) "a requeued job shows when it was requeued"
                Expect.isLessThanOrEqual (int (value r "ttl")) 60000 "its TTL runs on"
                do! call c "inspect failed-jobs q 0 10\r\n" "+OK 0\r\n"
                // As at a fresh add: after b.
                do! call c "lease q 0\r\n" (leased b "q" 5000 "y")
                do! call c "lease q 0\r\n" (leased a "q" 5000 "x")
                do! call c $"requeue {a}\r\n" (clientError "Job not failed")
                do! call c $"requeue {done'}\r\n" (clientError "Job not failed")
                do! call c $"requeue {newId ()}\r\n" notFound
                do! call c "requeue nope\r\n" (clientError "Invalid ID")
                do! call c "requeue\r\n" (clientError "Invalid command args")
                do! call c $"requeue {a} {b}\r\n" (clientError "Invalid command args")
                do! call c $"requeue {a} -ttl=0\r\n" (clientError "Invalid TTL")
                do! call c $"requeue {a} -priority=1\r\n" (clientError "Invalid command flags")
            })

        clientTest "requeue -ttl gives a new TTL from now" (fun _ c ->
            task {
                let a = newId ()
                do! call c (addReq a "q" 5000 60000 "x" []) ok
                do! call c (failReq a "no") ok
                do! call c $"requeue {a} -ttl=2592000000\r\n" ok
                let! r = inspectOne c $"job {a}"
                Expect.equal (value r "ttl") "2592000000" "the new TTL"
            })

        clientTest "requeue-failed: every failed job of a queue, in one request" (fun _ c ->
            task {
                let a, b, other = newId (), newId (), newId ()
                do! call c (addReq a "q" 5000 60000 "a" []) ok
                do! call c (addReq b "q" 5000 60000 "b" []) ok
                do! call c (addReq other "r" 5000 60000 "o" []) ok
                do! call c (failReq b "no") ok
                // Failures of one millisecond are ordered by arrival: b's must come first.
                do! Task.Delay 20
                do! call c (failReq a "no") ok
                do! call c (failReq other "no") ok
                do! call c "requeue-failed q\r\n" "+OK 1\r\nq 1\r\nrequeued 2\r\n"
                // Oldest failure first.
                do! call c "lease q 0\r\n" (leased b "q" 5000 "b")
                do! call c "lease q 0\r\n" (leased a "q" 5000 "a")
                do! call c "requeue-failed q -ttl=1000\r\n" "+OK 1\r\nq 1\r\nrequeued 0\r\n"
                let! failed = inspect c "failed-jobs r 0 10"
                Expect.equal (failed |> List.map _.Label) [ other ] "another queue's stay"
                do! call c "requeue-failed bad$\r\n" (clientError "Invalid Name")
                do! call c "requeue-failed q -ttl=2592000001\r\n" (clientError "Invalid TTL")
            })

        clientTest "inspect failed-jobs errors" (fun _ c ->
            task {
                do! call c "inspect failed-jobs bad$ 0 10\r\n" (clientError "Invalid Name")
                do! call c "inspect failed-jobs q 0 0\r\n" (clientError "Invalid limit")
                do! call c "inspect failed-jobs q -1 10\r\n" (clientError "Invalid cursor offset")
                do! call c "inspect failed-jobs q 0\r\n" (clientError "Invalid command args")
            })
    ]

let touching =
    testList "touch and counted leases" [
        clientTest "touch keeps a long job leased past its TTR" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 2000 60000 "x" []) ok
                do! call c "lease q 0\r\n" (leased id "q" 2000 "x")
                for _ in 1..4 do
                    do! Task.Delay 700
                    do! call c $"touch {id}\r\n" ok
                let! r = inspectOne c $"job {id}"
                Expect.equal (value r "state", value r "attempts") ("4", "1") "still leased, by its first lease"
                do! call c $"touch {id} 86400000\r\n" ok
                do! call c (completeReq id "done") ok
                do! call c $"touch {id}\r\n" notFound
            })

        clientTest "touch errors" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 600 60000 "x" []) ok
                do! call c $"touch {id}\r\n" notFound
                do! call c $"touch {newId ()}\r\n" notFound
                do! call c $"touch {id} 0\r\n" (clientError "Invalid TTR")
                do! call c $"touch {id} 86400001\r\n" (clientError "Invalid TTR")
                do! call c "touch nope\r\n" (clientError "Invalid ID")
                do! call c "touch\r\n" (clientError "Invalid command args")
                do! call c $"touch {id} 1 2\r\n" (clientError "Invalid command args")
                do! call c $"touch {id} -ttr=5\r\n" (clientError "Invalid command flags")
            })

        clientTest "lease -counts=1 answers with the attempt and fail counts" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 5000 60000 "x" [ "-max-fails=3" ]) ok
                do! call c "lease q 0 -counts=1\r\n" $"+OK 1\r\n{id} q 5000 1 0 1\r\nx\r\n"
                do! call c (failReq id "again") ok
                do! call c "lease -counts=1 q 0\r\n" $"+OK 1\r\n{id} q 5000 2 1 1\r\nx\r\n"
                do! call c "lease q 0 -counts=1\r\n" timeout
                do! call c "lease q 0 -counts=0\r\n" (clientError "Invalid Counts")
                do! call c "lease q 0 -counts=yes\r\n" (clientError "Invalid Counts")
            })

        serverTest "a waiting lease -counts=1 is answered with the counts" (fun ep ->
            task {
                use! worker = connect ep
                use! producer = connect ep
                do! send worker "lease q 5000 -counts=1\r\n"
                do! waitForWorkers producer "q" 1
                let id = newId ()
                do! call producer (addReq id "q" 5000 60000 "x" []) ok
                do! expect worker $"+OK 1\r\n{id} q 5000 1 0 1\r\nx\r\n"
            })
    ]

let recurring =
    testList "recurring" [
        clientTest "recur adds a job at each occurrence, its id from the key and the time; inspect recurring; unrecur" (fun _ c ->
            task {
                do! call c (recurReq "tick" "q" 5000 60000 "*_*_*_*_*_*" "tick" [ "-priority=3" ]) ok
                let! before = inspectOne c "recurring 0 10"
                expectRecord before "tick"
                    [ "name", "q"; "ttr", "5000"; "ttl", "60000"; "cron", "*_*_*_*_*_*"; "payload-size", "4"; "payload", "tick"
                      "max-attempts", "0"; "max-fails", "0"; "priority", "3"; "backoff", "0"; "overlap", "allow"
                      "created", anyTime; "next", anyTime ]
                let first = parseTime (value before "next")
                do! eventually 5000 "an occurrence's job" (fun () ->
                    task {
                        let! r = tryInspectJob c (occurrence "tick" first)
                        return r.IsSome
                    })
                let firstJob = occurrence "tick" first
                let! job = inspectOne c $"job {firstJob}"
                Expect.equal (value job "name", value job "priority", value job "payload") ("q", "3", "tick") "the definition's job"
                Expect.equal (Guid.Parse(occurrence "tick" first).Version) 8 "a version 8 UUID"
                let! after = inspectOne c "recurring 0 10"
                Expect.equal (List.last after.Keys |> fst) "last-job" "the last occurrence's job at the end"
                do! call c "unrecur tick\r\n" ok
                do! call c "unrecur tick\r\n" notFound
                do! call c "inspect recurring 0 10\r\n" "+OK 0\r\n"
                let! still = tryInspectJob c (occurrence "tick" first)
                Expect.isSome still "its jobs stay"
            })

        clientTest "recur replaces a definition of the same key" (fun _ c ->
            task {
                do! call c (recurReq "report" "q" 5000 60000 "0_6_*_*_*" "old" []) ok
                do! call c (recurReq "report" "r" 1000 1000 "@weekly" "new" [ "-overlap=skip"; "-backoff=5000" ]) ok
                let! all = inspect c "recurring 0 10"
                Expect.equal (all |> List.map _.Label) [ "report" ] "one definition"
                Expect.equal (value all[0] "name", value all[0] "cron", value all[0] "overlap", value all[0] "backoff")
                    ("r", "@weekly", "skip", "5000") "the new one"
            })

        clientTest "-overlap=skip leaves occurrences out while the last one's job is unfinished" (fun _ c ->
            task {
                do! call c (recurReq "tick" "q" 5000 60000 "*_*_*_*_*_*" "t" [ "-overlap=skip" ]) ok
                let! first = inspectOne c "recurring 0 10"
                let at = parseTime (value first "next")
                do! waitUntil (at.AddSeconds 2.5)
                let! jobs = inspect c "jobs q 0 100"
                Expect.equal (jobs |> List.map _.Label) [ occurrence "tick" at ] "only the first occurrence's job"
                do! call c "lease q 0\r\n" (leased (occurrence "tick" at) "q" 5000 "t")
                do! call c (completeReq (occurrence "tick" at) "done") ok
                do! eventually 5000 "the next occurrence after it finished" (fun () ->
                    task {
                        // The queue is gone until the next occurrence's job arrives.
                        do! send c "inspect jobs q 0 100\r\n"
                        match! readInspect c with
                        | Ok jobs -> return jobs.Length = 1
                        | Error _ -> return false
                    })
            })

        clientTest "recur errors" (fun _ c ->
            task {
                do! call c (recurReq "bad$" "q" 5000 60000 "*_*_*_*_*" "" []) (clientError "Invalid Key")
                do! call c (recurReq "k" "bad$" 5000 60000 "*_*_*_*_*" "" []) (clientError "Invalid Name")
                do! call c (recurReq "k" "q" 0 60000 "*_*_*_*_*" "" []) (clientError "Invalid TTR")
                do! call c (recurReq "k" "q" 5000 0 "*_*_*_*_*" "" []) (clientError "Invalid TTL")
                for cron in [ "*_*_*_*"; "*_*_*_*_*_*_*"; "0_0_30_2_*"; "H_*_*_*_*"; "61_*_*_*_*"; "@often"; "*__*_*_*_*" ] do
                    do! call c (recurReq "k" "q" 5000 60000 cron "" []) (clientError "Invalid Cron")
                do! call c (recurReq "k" "q" 5000 60000 "*_*_*_*_*" "" [ "-overlap=never" ]) (clientError "Invalid Overlap")
                do! call c (recurReq "k" "q" 5000 60000 "*_*_*_*_*" "" [ "-backoff=3600001" ]) (clientError "Invalid Backoff")
                do! call c (recurReq "k" "q" 5000 60000 "*_*_*_*_*" "" [ "-max-fails=256" ]) (clientError "Invalid Max Fails")
                do! call c (recurReq "k" "q" 5000 60000 "*_*_*_*_*" "" [ "-x=1" ]) (clientError "Invalid command flags")
                do! call c "unrecur\r\n" (clientError "Invalid command args")
                do! call c "unrecur a b\r\n" (clientError "Invalid command args")
                do! call c "unrecur bad$\r\n" (clientError "Invalid Key")
                do! call c "inspect recurring 0 101\r\n" (clientError "Invalid limit")
                do! call c "inspect recurring 0\r\n" (clientError "Invalid command args")
                do! call c "inspect recurring 0 10\r\n" "+OK 0\r\n"
            })

        clientTest "recur without its size closes the connection, as every data command does" (fun _ c ->
            task {
                do! send c "recur k q 5000 60000 *_*_*_*_*\r\n"
                do! expect c (clientError "Invalid command args")
                do! expectClosed c
            })
    ]

let durability =
    testList "across restarts" [
        logTest "definitions, back-offs, waits for a retry and failed jobs survive a restart, by segments and by snapshot" (fun dir ->
            task {
                let delayed, failed = newId (), newId ()
                let! before =
                    withClient dir [] (fun c ->
                        task {
                            // The 29th of February: nothing occurs while the test runs.
                            do! call c (recurReq "nightly" "report" 5000 60000 "0_0_29_2_*" "go" [ "-overlap=skip" ]) ok
                            do! call c (addReq delayed "q" 5000 600000 "d" [ "-max-fails=3"; "-backoff=300000" ]) ok
                            do! call c (failReq delayed "busy") ok
                            do! call c (addReq failed "q" 5000 600000 "f" []) ok
                            do! call c (failReq failed "dead") ok
                            let! r = inspect c "recurring 0 10"
                            let! d = inspectOne c $"job {delayed}"
                            let! f = inspect c "failed-jobs q 0 10"
                            return r, d, f
                        })
                let check (what: string) (c: Client) =
                    task {
                        let! r = inspect c "recurring 0 10"
                        let! d = inspectOne c $"job {delayed}"
                        let! f = inspect c "failed-jobs q 0 10"
                        Expect.equal (r, d, f) before what
                        // The back-off is still the job's: its next fail waits twice as long.
                        do! call c $"fail {delayed} 4\r\nbusy\r\n" ok
                        let! again = inspectOne c $"job {delayed}"
                        let wait = parseTime (value again "retry-at") - DateTime.UtcNow
                        Expect.isGreaterThan wait (TimeSpan.FromSeconds 400.0) $"{what}: doubled"
                    }
                do! withClient dir [] (check "after a restart")
                do! onServer dir [ "--cmdlog-clean-int"; "50" ] (fun ep ->
                    task {
                        use! c = connect ep
                        // Something logged, then a compaction after it.
                        do! call c (addReq (newId ()) "other" 5000 600000 "x" []) ok
                        // Each request wakes the engine, which compacts once the interval has passed.
                        do! eventually 10000 "a snapshot" (fun () ->
                            task {
                                let! _ = inspectOne c "server"
                                return Directory.GetFiles(dir, "snapshot-*.wqs").Length > 0
                            })
                    })
                do! withClient dir [] (fun c ->
                    task {
                        let! r = inspect c "recurring 0 10"
                        let! f = inspect c "failed-jobs q 0 10"
                        let r0, _, f0 = before
                        Expect.equal (r, f) (r0, f0) "definitions and failed jobs after a snapshot and a restart"
                        let! d = inspectOne c $"job {delayed}"
                        Expect.equal (value d "fails") "2" "the second fail kept"
                    })
            })

        logTest "occurrences missed while the server was down run once at start-up" (fun dir ->
            task {
                // Three occurrences a second apart, the first a few seconds away: time to stop
                // the server before it, and to start it again after the last.
                let now = DateTime.UtcNow
                let first = DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, DateTimeKind.Utc).AddSeconds 4.0
                let seconds = [ 0.0; 1.0; 2.0 ] |> List.map (fun s -> string (first.AddSeconds s).Second) |> String.concat ","
                let! next =
                    withClient dir [] (fun c ->
                        task {
                            do! call c (recurReq "tick" "q" 5000 600000 $"{seconds}_*_*_*_*_*" "t" []) ok
                            let! r = inspectOne c "recurring 0 10"
                            return parseTime (value r "next")
                        })
                Expect.equal next first "the first occurrence"
                Expect.isLessThan DateTime.UtcNow first "stopped before it"
                do! waitUntil (next.AddSeconds 2.5)
                do! withClient dir [] (fun c ->
                    task {
                        do! eventually 5000 "the missed occurrence's job" (fun () ->
                            task {
                                let! r = tryInspectJob c (occurrence "tick" next)
                                return r.IsSome
                            })
                        let! second = tryInspectJob c (occurrence "tick" (next.AddSeconds 1.0))
                        let! third = tryInspectJob c (occurrence "tick" (next.AddSeconds 2.0))
                        Expect.equal (second, third) (None, None) "not once per missed second"
                        let! r = inspectOne c "recurring 0 10"
                        Expect.isGreaterThan (parseTime (value r "next")) (next.AddSeconds 2.0) "then on schedule"
                    })
            })
    ]

/// The fixture of the earlier server's log, copied.
let private previousLog () =
    let dir = newDir ()
    let fixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "cmdlog-previous")
    for file in Directory.GetFiles fixture do
        let name = Path.GetFileName file |> nonNull
        if name <> "README.md" then File.Copy(file, Path.Combine(dir, name))
    dir

let private headerVersion (path: string) = BitConverter.ToUInt32(File.ReadAllBytes path, 8)

let logFormat =
    testList "command log format 2" [
        test "a job that failed in a log of format 1 is among the failed jobs, failed when its record says" {
            let dir = previousLog ()
            try
                let failedJob = (JobId.tryParse "11111111-2222-4333-8444-000000000004").Value
                let bytes = File.ReadAllBytes(Path.Combine(dir, "00000000000000000002.wql"))
                let failedAt =
                    (CommandLog.Segment.read bytes bytes.Length).Events
                    |> List.pick (function JobFailed(id, at, _) when id = failedJob -> Some at | _ -> None)
                let settings =
                    CommandLogSettings(dir, SyncPolicy.Always, TimeSpan.FromSeconds 1.0, 64L * 1024L * 1024L, TimeSpan.FromMinutes 5.0, false)
                let loaded = LogLoader(settings, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Load(int64 failedAt)
                Expect.equal (FailedJobs.failedAt failedJob loaded.State.Failed) (Some failedAt) "its failure's instant"
                Expect.equal (FailedJobs.total loaded.State.Failed, FailedJobs.count (JobName.tryCreate "report").Value loaded.State.Failed) (1, 1) "the one failed job"
                Expect.equal loaded.SegmentVersion 1u "read from a segment of format 1"
                Expect.isTrue loaded.SegmentIsOlder "so new records need a segment of their own"
            finally
                try Directory.Delete(dir, true) with _ -> ()
        }

        testCaseAsync "a log of format 1 is read; new records go to a segment of format 2 beside it" (async {
            let dir = previousLog ()
            try
                let old = File.ReadAllBytes(Path.Combine(dir, "00000000000000000002.wql"))
                Expect.equal (headerVersion (Path.Combine(dir, "00000000000000000002.wql"))) 1u "the fixture is of format 1"
                let id = newId ()
                do! withClient dir [] (fun c ->
                        task {
                            do! call c (addReq id "mail" 5000 600000 "new" [ "-backoff=1000"; "-max-fails=2" ]) ok
                            do! call c (recurReq "nightly" "report" 5000 60000 "0_2_*_*_*" "go" []) ok
                        })
                    |> Async.AwaitTask
                Expect.equal (File.ReadAllBytes(Path.Combine(dir, "00000000000000000002.wql"))) old "the segment of format 1 is left as it was"
                let next = Path.Combine(dir, "00000000000000000003.wql")
                Expect.isTrue (File.Exists next) "a new segment"
                Expect.equal (headerVersion next) 2u "of format 2"
                do! withClient dir [] (fun c ->
                        task {
                            let! r = inspect c "recurring 0 10"
                            Expect.equal (r |> List.map _.Label) [ "nightly" ] "the definition"
                            let! j = inspectOne c $"job {id}"
                            Expect.equal (value j "payload") "new" "the new job"
                            let! old = inspectOne c "job 11111111-2222-4333-8444-000000000004"
                            Expect.equal (value old "state") "2" "the old failed job"
                            let! f = inspect c "failed-jobs report 0 10"
                            Expect.equal (f |> List.map _.Label) [ "11111111-2222-4333-8444-000000000004" ] "listed among the failed"
                        })
                    |> Async.AwaitTask
                use out = new StringWriter()
                use err = new StringWriter()
                let code = CmdlogTool.Run([| "dump"; dir |], out, err)
                Expect.equal code 0 "dump"
                let text = out.ToString()
                Expect.stringContains text $"JobAdded          {id}" "the new job"
                Expect.stringContains text "backoff=1000" "its back-off"
                Expect.stringContains text "RecurrenceSet     nightly name=report ttr=5000 ttl=60000 cron=0_2_*_*_*" "the definition"
            finally
                try Directory.Delete(dir, true) with _ -> ()
        })

        logTest "cmdlog dump and replay show the new events and definitions" (fun dir ->
            task {
                let id = newId ()
                do! withClient dir [] (fun c ->
                    task {
                        do! call c (addReq id "q" 5000 600000 "x" [ "-max-fails=3" ]) ok
                        do! call c "lease q 0\r\n" (leased id "q" 5000 "x")
                        do! call c $"touch {id} 9000\r\n" ok
                        do! call c $"fail {id} 1 -retry-in=60000\r\nx\r\n" ok
                        do! call c (recurReq "tick" "q" 5000 600000 "@hourly" "t" []) ok
                        do! call c "unrecur tick\r\n" ok
                    })
                use out = new StringWriter()
                use err = new StringWriter()
                Expect.equal (CmdlogTool.Run([| "dump"; dir |], out, err)) 0 "dump"
                let text = out.ToString()
                for needle in [ $"LeaseExtended     {id} leased-until="; $"JobRetryScheduled {id} retry-at="
                                "RecurrenceSet     tick name=q"; "RecurrenceRemoved tick" ] do
                    Expect.stringContains text needle needle
                use out = new StringWriter()
                Expect.equal (CmdlogTool.Run([| "replay"; dir |], out, err)) 0 "replay"
                Expect.stringContains (out.ToString()) "failed-jobs=0" "the server's counters"
            })
    ]

[<Tests>]
let tests =
    testList "failed and recurring work over TCP" [ backoff; deadJobs; touching; recurring; durability; logFormat ]
