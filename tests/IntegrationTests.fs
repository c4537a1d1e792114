/// End-to-end tests over TCP: a fresh server per test, raw bytes in, exact bytes out.
module Workq.Tests.IntegrationTests

open System
open System.Diagnostics
open System.Net
open System.Runtime.ExceptionServices
open System.Text.RegularExpressions
open System.Threading.Tasks
open Expecto
open Workq.Tests.TcpTestClient
open Workq.Tests.ServerFixture

// ---------------------------------------------------------------------------
// Requests and replies as bytes

let newId () = Guid.NewGuid().ToString()

let private flagText (flags: string list) =
    flags |> List.map (fun f -> " " + f) |> String.concat ""

let addReq id name (ttr: int) (ttl: int) (payload: string) flags =
    $"add {id} {name} {ttr} {ttl} {payload.Length}{flagText flags}\r\n{payload}\r\n"

let scheduleReq id name (ttr: int) (ttl: int) (time: string) (payload: string) flags =
    $"schedule {id} {name} {ttr} {ttl} {time} {payload.Length}{flagText flags}\r\n{payload}\r\n"

let runReq id name (ttr: int) (wait: int) (payload: string) flags =
    $"run {id} {name} {ttr} {wait} {payload.Length}{flagText flags}\r\n{payload}\r\n"

let completeReq id (result: string) = $"complete {id} {result.Length}\r\n{result}\r\n"
let failReq id (result: string) = $"fail {id} {result.Length}\r\n{result}\r\n"

let ok = "+OK\r\n"
let timeout = "-TIMEOUT\r\n"
let notFound = "-NOT-FOUND\r\n"
let clientError text = $"-CLIENT-ERROR {text}\r\n"

/// The reply to a successful `lease`.
let leased id name (ttr: int) (payload: string) =
    $"+OK 1\r\n{id} {name} {ttr} {payload.Length}\r\n{payload}\r\n"

/// The reply to `result` / `run` for a finished job.
let resultOf id (success: bool) (result: string) =
    $"+OK 1\r\n{id} {(if success then 1 else 0)} {result.Length}\r\n{result}\r\n"

/// Sends one request and expects exactly `reply`.
let call (c: Client) (request: string) (reply: string) : Task =
    task {
        do! send c request
        do! expect c reply
    }

/// A UTC time in the protocol's form, with milliseconds.
let timeText (t: DateTime) = t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'")

// ---------------------------------------------------------------------------
// inspect records, read by key-count (payload by payload-size)

type Record = { Label: string; Keys: (string * string) list }

/// Stands for "a whole-second UTC time" in an expected record.
let anyTime = "<time>"
let private timeShape = Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

let private splitPair (what: string) (line: string) =
    match line.Split ' ' with
    | [| a; b |] when a <> "" && b <> "" -> a, b
    | _ -> failtestf "malformed %s line \"%s\"" what (show line)

/// Reads bytes up to (not including) the next space.
let private readKey (c: Client) =
    task {
        let sb = Text.StringBuilder()
        let mutable fin = false
        while not fin do
            let! b = readExactly c 1
            if b[0] = byte ' ' then fin <- true
            elif b[0] = 13uy || b[0] = 10uy then failtestf "key line without a value: \"%s\"" (show (string sb))
            else sb.Append(char b[0]) |> ignore
        return string sb
    }

let private readRecord (c: Client) : Task<Record> =
    task {
        let! header = readLine c
        let label, count = splitPair "record header" header
        let keys = ResizeArray()
        for _ in 1 .. int count do
            let! key = readKey c
            if key = "payload" then
                // Raw bytes, sized by the payload-size key before it.
                let size =
                    keys |> Seq.tryFind (fst >> (=) "payload-size") |> Option.map (snd >> int)
                    |> Option.defaultWith (fun () -> failtest "payload before payload-size")
                let! data = readExactly c size
                do! expect c "\r\n"
                keys.Add(key, textOf data)
            else
                let! value = readLine c
                keys.Add(key, value)
        return { Label = label; Keys = List.ofSeq keys }
    }

/// Reads an inspect reply: `Ok records`, or `Error line` for a one-line error.
let readInspect (c: Client) : Task<Result<Record list, string>> =
    task {
        let! first = readLine c
        if first.StartsWith "+OK " then
            let n = int (first.Substring 4)
            let records = ResizeArray()
            for _ in 1 .. n do
                let! r = readRecord c
                records.Add r
            return Ok(List.ofSeq records)
        else
            return Error first
    }

let inspect (c: Client) (what: string) : Task<Record list> =
    task {
        do! send c $"inspect {what}\r\n"
        match! readInspect c with
        | Ok records -> return records
        | Error e -> return failtestf "inspect %s answered \"%s\"" what (show e)
    }

let inspectOne (c: Client) what =
    task {
        match! inspect c what with
        | [ r ] -> return r
        | rs -> return failtestf "inspect %s: expected one record, got %d" what rs.Length
    }

/// `inspect job`; None for -NOT-FOUND.
let tryInspectJob (c: Client) id : Task<Record option> =
    task {
        do! send c $"inspect job {id}\r\n"
        match! readInspect c with
        | Ok [ r ] -> return Some r
        | Error "-NOT-FOUND" -> return None
        | other -> return failtestf "inspect job %s: unexpected %A" id other
    }

let value (r: Record) key =
    match r.Keys |> List.tryFind (fst >> (=) key) with
    | Some(_, v) -> v
    | None -> failtestf "record %s has no key %s (keys: %A)" r.Label key (List.map fst r.Keys)

/// Asserts a record byte for byte: label, key-count, keys in order, values
/// (`anyTime` matches any whole-second UTC time).
let expectRecord (actual: Record) (label: string) (expected: (string * string) list) =
    Expect.equal actual.Label label "record label"
    Expect.equal (List.map fst actual.Keys) (List.map fst expected) $"keys of record {label}"
    for (k, want), (_, got) in List.zip expected actual.Keys do
        if want = anyTime then
            Expect.isTrue (timeShape.IsMatch got) $"{k} should be a whole-second UTC time, got \"{show got}\""
        else
            Expect.equal got want $"value of {k} in record {label}"

/// The expected keys of `inspect job`, state and counts given.
let jobKeys name (ttr: int) (ttl: int) (payload: string) maxAttempts attempts maxFails fails priority state =
    [ "name", name
      "ttr", string ttr
      "ttl", string ttl
      "payload-size", string payload.Length
      "payload", payload
      "max-attempts", string maxAttempts
      "attempts", string attempts
      "max-fails", string maxFails
      "fails", string fails
      "priority", string priority
      "state", string state
      "created", anyTime ]

let queueKeys ready scheduled leasedLen workers =
    [ "ready-len", string ready
      "scheduled-len", string scheduled
      "leased-len", string leasedLen
      "workers", string workers ]

// ---------------------------------------------------------------------------
// Time

let elapsedSince (sw: Stopwatch) = sw.Elapsed.TotalMilliseconds

/// Asserts a wait of about `ms`: not clearly early, not absurdly late.
let expectWaited (sw: Stopwatch) (ms: float) what =
    let t = elapsedSince sw
    Expect.isGreaterThanOrEqual t (ms - 50.0) $"{what} answered too early ({t:F0} ms)"
    Expect.isLessThan t 5000.0 $"{what} answered too late ({t:F0} ms)"

/// Asserts an answer "at once" (well under the waits used elsewhere).
let expectPrompt (sw: Stopwatch) what =
    let t = elapsedSince sw
    Expect.isLessThan t 1000.0 $"{what} should answer at once, took {t:F0} ms"

/// Polls `check` every 50 ms until it holds, failing after `ms`.
let eventually (ms: int) (what: string) (check: unit -> Task<bool>) : Task =
    task {
        let sw = Stopwatch.StartNew()
        let mutable fin = false
        while not fin do
            let! holds = check ()
            if holds then fin <- true
            elif sw.ElapsedMilliseconds > int64 ms then failtestf "timed out after %d ms waiting for: %s" ms what
            else do! Task.Delay 50
    }

/// Waits until queue `name` has `n` blocked workers (so a lease is surely waiting).
let waitForWorkers (c: Client) name (n: int) =
    eventually 5000 $"{n} workers waiting on {name}" (fun () ->
        task {
            do! send c $"inspect queue {name}\r\n"
            match! readInspect c with
            | Ok [ r ] -> return value r "workers" = string n
            | _ -> return false
        })

let jobGone (c: Client) id =
    eventually 5000 $"job {id} removed" (fun () ->
        task {
            let! r = tryInspectJob c id
            return r.IsNone
        })

let jobExists (c: Client) id =
    eventually 5000 $"job {id} exists" (fun () ->
        task {
            let! r = tryInspectJob c id
            return r.IsSome
        })

let serverStat (c: Client) key =
    task {
        let! r = inspectOne c "server"
        return value r key
    }

// ---------------------------------------------------------------------------
// Test builders

/// A test against its own fresh server.
/// (An assertion failing inside the task is reported as a failure, not an error.)
let serverTest name (body: IPEndPoint -> Task<unit>) =
    testCaseAsync name (async {
        try
            do! withServer body |> Async.AwaitTask
        with :? AggregateException as e when e.InnerExceptions.Count = 1 ->
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw()
    })

/// A test with one connection to its own fresh server.
let clientTest name (body: IPEndPoint -> Client -> Task<unit>) =
    serverTest name (fun ep ->
        task {
            use! c = connect ep
            do! body ep c
        })

// ---------------------------------------------------------------------------
// The tests

let exampleId = "6ba7b810-9dad-11d1-80b4-00c04fd430c4"

let commands =
    testList "commands" [
        clientTest "add, then inspect job shows its 12 keys in order" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "mail.out-1" 5000 60000 "hello" [ "-priority=-7"; "-max-attempts=3"; "-max-fails=2" ]) ok
                let! r = inspectOne c $"job {id}"
                expectRecord r id (jobKeys "mail.out-1" 5000 60000 "hello" 3 0 2 0 -7 0)
            })

        clientTest "ids are accepted in upper case and answered in lower case" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq (id.ToUpperInvariant()) "q" 1000 60000 "x" []) ok
                do! call c "lease q 0\r\n" (leased id "q" 1000 "x")
            })

        clientTest "schedule in the future: not ready before its time, then leased; 13th key time" (fun _ c ->
            task {
                let id = newId ()
                let sw = Stopwatch.StartNew()
                do! call c (scheduleReq id "later" 1000 60000 (timeText (DateTime.UtcNow.AddMilliseconds 1500.0)) "p" []) ok
                do! call c "lease later 0\r\n" timeout
                let! q = inspectOne c "queue later"
                expectRecord q "later" (queueKeys 0 1 0 0)
                let! r = inspectOne c $"job {id}"
                expectRecord r id (jobKeys "later" 1000 60000 "p" 0 0 0 0 0 0 @ [ "time", anyTime ])
                let! s = inspect c "scheduled-jobs later 0 10"
                Expect.equal (s |> List.map _.Label) [ id ] "scheduled-jobs lists the job"
                let! ready = inspect c "jobs later 0 10"
                Expect.isEmpty ready "no ready jobs yet"
                do! call c "lease later 5000\r\n" (leased id "later" 1000 "p")
                expectWaited sw 1400.0 "lease of a scheduled job"
            })

        clientTest "schedule in the past with time + ttl ahead: ready at once, older than a fresh add" (fun _ c ->
            task {
                let fresh, old = newId (), newId ()
                do! call c (addReq fresh "q" 1000 60000 "new" []) ok
                do! call c (scheduleReq old "q" 1000 3_600_000 (timeText (DateTime.UtcNow.AddSeconds -60.0)) "old" []) ok
                // Ready since its time, a minute ago: it comes first.
                do! call c "lease q 0\r\n" (leased old "q" 1000 "old")
                do! call c "lease q 0\r\n" (leased fresh "q" 1000 "new")
            })

        clientTest "schedule with time + ttl already past is Invalid Time" (fun _ c ->
            task {
                let id = newId ()
                do! call c (scheduleReq id "q" 1000 60000 (timeText (DateTime.UtcNow.AddSeconds -120.0)) "x" []) (clientError "Invalid Time")
                let! r = tryInspectJob c id
                Expect.isNone r "the job was not created"
            })

        clientTest "result of an unfinished job waits, then times out" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 1000 60000 "x" []) ok
                do! call c $"result {id} 0\r\n" timeout
                let sw = Stopwatch.StartNew()
                do! call c $"result {id} 300\r\n" timeout
                expectWaited sw 300.0 "result with wait 300"
            })

        serverTest "result waits for a complete on another connection" (fun ep ->
            task {
                use! waiter = connect ep
                use! worker = connect ep
                let id = newId ()
                do! call worker (addReq id "q" 5000 60000 "in" []) ok
                do! send waiter $"result {id} 10000\r\n"
                do! expectSilence waiter 200
                do! call worker "lease q 0\r\n" (leased id "q" 5000 "in")
                do! call worker (completeReq id "out") ok
                do! expect waiter (resultOf id true "out")
            })

        clientTest "complete and fail: accepted once, then Duplicate result; unknown job NOT-FOUND" (fun _ c ->
            task {
                let a, b = newId (), newId ()
                do! call c (addReq a "q" 1000 60000 "a" []) ok
                do! call c (addReq b "q" 1000 60000 "b" []) ok
                // Accepted without a lease too.
                do! call c (completeReq a "done") ok
                do! call c (failReq b "oops") ok
                do! call c (completeReq a "again") (clientError "Duplicate result")
                do! call c (failReq b "again") (clientError "Duplicate result")
                do! call c (failReq a "again") (clientError "Duplicate result")
                do! call c $"result {a} 0\r\n" (resultOf a true "done")
                do! call c $"result {b} 0\r\n" (resultOf b false "oops")
                let! ra = inspectOne c $"job {a}"
                Expect.equal (value ra "state") "1" "completed"
                let! rb = inspectOne c $"job {b}"
                Expect.equal (value rb "state") "2" "failed"
                do! call c (completeReq (newId ()) "x") notFound
                do! call c (failReq (newId ()) "x") notFound
            })

        clientTest "delete removes a job in any state" (fun _ c ->
            task {
                let ready, leasedJob, finished = newId (), newId (), newId ()
                do! call c (addReq leasedJob "q" 5000 60000 "l" []) ok
                do! call c "lease q 0\r\n" (leased leasedJob "q" 5000 "l")
                do! call c (addReq ready "q" 5000 60000 "r" []) ok
                do! call c (addReq finished "q" 5000 60000 "f" []) ok
                do! call c (completeReq finished "x") ok
                for id in [ ready; leasedJob; finished ] do
                    do! call c $"delete {id}\r\n" ok
                    do! call c $"delete {id}\r\n" notFound
                    do! call c $"result {id} 0\r\n" notFound
                    let! r = tryInspectJob c id
                    Expect.isNone r "deleted job is gone"
                // A worker's late answer finds nothing; the id is free again.
                do! call c (completeReq leasedJob "late") notFound
                do! call c "lease q 0\r\n" timeout
                do! call c (addReq ready "q" 5000 60000 "r2" []) ok
            })

        clientTest "inspect queue counts ready, scheduled, leased and waiting workers" (fun ep c ->
            task {
                do! call c "inspect queue q\r\n" notFound
                let a, b, s = newId (), newId (), newId ()
                do! call c (addReq a "q" 5000 60000 "a" []) ok
                do! call c (addReq b "q" 5000 60000 "b" []) ok
                do! call c (scheduleReq s "q" 5000 60000 (timeText (DateTime.UtcNow.AddHours 1.0)) "s" []) ok
                do! call c "lease q 0\r\n" (leased a "q" 5000 "a")
                let! r = inspectOne c "queue q"
                expectRecord r "q" (queueKeys 1 1 1 0)
                // A worker waiting on another name makes that queue exist.
                use! w = connect ep
                do! send w "lease idle 10000\r\n"
                do! waitForWorkers c "idle" 1
                let! r = inspectOne c "queue idle"
                expectRecord r "idle" (queueKeys 0 0 0 1)
                // Once nothing is left, the queue is gone.
                for id in [ a; b; s ] do
                    do! call c $"delete {id}\r\n" ok
                do! call c "inspect queue q\r\n" notFound
            })

        clientTest "inspect queues: byte order of name, offset and limit" (fun _ c ->
            task {
                // Byte order: "Zeta" < "alpha" < "beta" (upper case first).
                for name in [ "beta"; "alpha"; "Zeta" ] do
                    do! call c (addReq (newId ()) name 1000 60000 "x" []) ok
                let! all = inspect c "queues 0 100"
                Expect.equal (all |> List.map _.Label) [ "Zeta"; "alpha"; "beta" ] "queue order"
                expectRecord all[1] "alpha" (queueKeys 1 0 0 0)
                let! page = inspect c "queues 1 1"
                Expect.equal (page |> List.map _.Label) [ "alpha" ] "offset 1, limit 1"
                do! call c "inspect queues 3 10\r\n" "+OK 0\r\n"
                do! call c "inspect queues 0 0\r\n" (clientError "Invalid limit")
                do! call c "inspect queues 0 101\r\n" (clientError "Invalid limit")
                do! call c "inspect queues 4294967296 1\r\n" (clientError "Invalid cursor offset")
                do! call c "inspect queues x 1\r\n" (clientError "Invalid cursor offset")
                do! call c "inspect queues 0\r\n" (clientError "Invalid command args")
            })

        clientTest "inspect jobs lists ready jobs in lease order; scheduled-jobs soonest first" (fun _ c ->
            task {
                let low, high, high2 = newId (), newId (), newId ()
                do! call c (addReq low "q" 1000 60000 "l" [ "-priority=1" ]) ok
                do! call c (addReq high "q" 1000 60000 "h" [ "-priority=9" ]) ok
                do! call c (addReq high2 "q" 1000 60000 "h2" [ "-priority=9" ]) ok
                let late, soon = newId (), newId ()
                do! call c (scheduleReq late "q" 1000 60000 (timeText (DateTime.UtcNow.AddHours 2.0)) "z" []) ok
                do! call c (scheduleReq soon "q" 1000 60000 (timeText (DateTime.UtcNow.AddHours 1.0)) "y" []) ok
                let! ready = inspect c "jobs q 0 10"
                Expect.equal (ready |> List.map _.Label) [ high; high2; low ] "ready jobs in lease order"
                expectRecord ready[2] low (jobKeys "q" 1000 60000 "l" 0 0 0 0 1 0)
                let! page = inspect c "jobs q 1 1"
                Expect.equal (page |> List.map _.Label) [ high2 ] "offset 1, limit 1"
                do! call c "inspect jobs q 3 1\r\n" "+OK 0\r\n"
                let! scheduled = inspect c "scheduled-jobs q 0 10"
                Expect.equal (scheduled |> List.map _.Label) [ soon; late ] "scheduled jobs soonest first"
                do! call c "inspect jobs nope 0 10\r\n" notFound
                do! call c "inspect scheduled-jobs nope 0 10\r\n" notFound
                do! call c "inspect jobs q 0 0\r\n" (clientError "Invalid limit")
                do! call c "inspect jobs q -1 10\r\n" (clientError "Invalid cursor offset")
                do! call c "inspect jobs bad$ 0 10\r\n" (clientError "Invalid Name")
            })

        clientTest "inspect server: server 5 with active-clients, evicted-jobs, started, jobs, queues" (fun _ c ->
            task {
                do! call c (addReq (newId ()) "a" 1000 60000 "x" []) ok
                do! call c (addReq (newId ()) "b" 1000 60000 "x" []) ok
                let done' = newId ()
                do! call c (addReq done' "b" 1000 60000 "x" []) ok
                do! call c (completeReq done' "r") ok
                let! r = inspectOne c "server"
                expectRecord r "server" [ "active-clients", "1"; "evicted-jobs", "0"; "started", anyTime; "jobs", "3"; "queues", "2" ]
            })
    ]

let examples =
    testList "examples.md" [
        clientTest "a job's life" (fun _ c ->
            task {
                let id = exampleId
                do! call c $"add {id} ping 5000 60000 4 -priority=10\r\nping\r\n" "+OK\r\n"
                do! call c "lease ping 1000\r\n" $"+OK 1\r\n{id} ping 5000 4\r\nping\r\n"
                do! call c $"complete {id} 4\r\npong\r\n" "+OK\r\n"
                do! call c $"result {id} 0\r\n" $"+OK 1\r\n{id} 1 4\r\npong\r\n"
            })

        clientTest "data with CR LF inside; empty data" (fun _ c ->
            task {
                let id = "0f6a7d2e-52b1-4c1e-9a57-3f0c2b9d8e11"
                do! call c $"add {id} bin 1000 60000 4\r\na\r\nb\r\n" "+OK\r\n"
                do! call c $"fail {id} 0\r\n\r\n" "+OK\r\n"
                do! call c $"result {id} 0\r\n" $"+OK 1\r\n{id} 0 0\r\n\r\n"
            })

        clientTest "waiting and timeouts" (fun _ c ->
            task {
                let sw = Stopwatch.StartNew()
                do! call c "lease empty-queue 300\r\n" "-TIMEOUT\r\n"
                expectWaited sw 300.0 "lease empty-queue 300"
                sw.Restart()
                do! call c "lease empty-queue 0\r\n" "-TIMEOUT\r\n"
                expectPrompt sw "lease empty-queue 0"
                sw.Restart()
                do! call c "result 9b2c4f0e-1d3a-4e5b-8c7d-6e5f4a3b2c1d 1000\r\n" "-NOT-FOUND\r\n"
                expectPrompt sw "result of no such job"
            })

        clientTest "priorities across queues" (fun _ c ->
            task {
                let a, b, cc = newId (), newId (), newId ()
                do! call c (addReq a "low" 1000 60000 "a" [ "-priority=1" ]) ok
                do! call c (addReq b "high" 1000 60000 "b" [ "-priority=5" ]) ok
                do! call c (addReq cc "low" 1000 60000 "c" [ "-priority=5" ]) ok
                do! call c "lease low high 0\r\n" (leased b "high" 1000 "b")
                do! call c "lease low high 0\r\n" (leased cc "low" 1000 "c")
                do! call c "lease low high 0\r\n" (leased a "low" 1000 "a")
            })

        clientTest "max-fails" (fun _ c ->
            task {
                let j = newId ()
                do! call c (addReq j "q" 5000 60000 "p" [ "-max-fails=2" ]) ok
                do! call c "lease q 0\r\n" (leased j "q" 5000 "p")
                do! call c (failReq j "x") ok
                let! r = inspectOne c $"job {j}"
                expectRecord r j (jobKeys "q" 5000 60000 "p" 0 1 2 1 0 3)
                do! call c "lease q 0\r\n" (leased j "q" 5000 "p")
                do! call c (failReq j "y") ok
                let! r = inspectOne c $"job {j}"
                expectRecord r j (jobKeys "q" 5000 60000 "p" 0 2 2 2 0 2)
                do! call c $"result {j} 0\r\n" (resultOf j false "y")
                do! call c "lease q 0\r\n" timeout
            })

        clientTest "errors that keep the connection" (fun _ c ->
            task {
                do! call c "frobnicate\r\n" "-CLIENT-ERROR Unknown command\r\n"
                do! call c "lease q -priority=3 100\r\n" "-CLIENT-ERROR Invalid command flags\r\n"
                do! call c $"add {exampleId} bad$name 1000 60000 1\r\nx\r\n" "-CLIENT-ERROR Invalid Name\r\n"
                do! call c "add 00000000-0000-0000-0000-000000000000 q 1000 60000 1\r\nx\r\n" "-CLIENT-ERROR Invalid ID\r\n"
                do! call c $"add {exampleId} q 0 60000 1\r\nx\r\n" "-CLIENT-ERROR Invalid TTR\r\n"
                // Still usable, and none of those created a job.
                do! call c "lease q 0\r\n" timeout
                do! call c (addReq exampleId "q" 1000 60000 "ok" []) ok
            })

        serverTest "errors that close the connection" (fun ep ->
            task {
                use! c = connect ep
                do! call c $"add {exampleId} q 1000 60000 2\r\nabc\r\n" "-CLIENT-ERROR Invalid payload size\r\n"
                do! expectClosed c
                use! d = connect ep
                do! call d $"fail {exampleId} 1048577\r\n" "-CLIENT-ERROR Invalid result size\r\n"
                do! expectClosed d
                use! e = connect ep
                let! r = tryInspectJob e exampleId
                Expect.isNone r "the job with bad data was not added"
            })

        serverTest "inspect queue, server and job" (fun ep ->
            task {
                use! c = connect ep
                let a, b, l = newId (), newId (), newId ()
                do! call c (addReq l "ping" 5000 60000 "ping" [ "-priority=10" ]) ok
                do! call c (addReq a "ping" 5000 60000 "ping" []) ok
                do! call c (addReq b "ping" 5000 60000 "ping" []) ok
                do! call c "lease ping 1000\r\n" (leased l "ping" 5000 "ping")
                let! q = inspect c "queue ping"
                Expect.equal q.Length 1 "one record"
                expectRecord q[0] "ping" [ "ready-len", "2"; "scheduled-len", "0"; "leased-len", "1"; "workers", "0" ]
                use! others = connectMany ep 3
                for o in others.All do
                    do! call o "lease none 0\r\n" timeout // surely accepted
                let! s = inspectOne c "server"
                expectRecord s "server" [ "active-clients", "4"; "evicted-jobs", "0"; "started", anyTime; "jobs", "3"; "queues", "1" ]
                let! j = inspectOne c $"job {l}"
                expectRecord j l (jobKeys "ping" 5000 60000 "ping" 0 1 0 0 10 4)
            })
    ]

/// A name of `n` bytes.
let nameOf n = String('n', n)

let keptErrors =
    testList "errors that keep the connection" [
        // Each (request, error text); after all of them a normal request still works.
        let id = "6ba7b810-9dad-11d1-80b4-00c04fd430c4"
        let add' (rest: string) = $"add {id} {rest}\r\nx\r\n"
        let cases =
            [ "unknown command", "frobnicate\r\n", "Unknown command"
              "empty line", "\r\n", "Unknown command"
              "upper-case command", "LEASE q 0\r\n", "Unknown command"
              "inspect of an unknown object", "inspect nothing\r\n", "Unknown command"
              "unknown flag", add' "q 1000 60000 1 -colour=red", "Invalid command flags"
              "duplicate flag", add' "q 1000 60000 1 -priority=1 -priority=2", "Invalid command flags"
              "flag with empty value", add' "q 1000 60000 1 -priority=", "Invalid command flags"
              "flag with two =", add' "q 1000 60000 1 -priority=1=2", "Invalid command flags"
              "flag not allowed on run", $"run {id} q 1000 100 1 -max-fails=1\r\nx\r\n", "Invalid command flags"
              "flags before positional checks", add' "bad$ 0 0 1 -nope=1", "Invalid command flags"
              "lease without wait-timeout", "lease q\r\n", "Invalid command args"
              "result with too many args", $"result {id} 10 10\r\n", "Invalid command args"
              "delete without id", "delete\r\n", "Invalid command args"
              "inspect job without id", "inspect job\r\n", "Invalid command args"
              "inspect without an object", "inspect\r\n", "Invalid command args"
              "nil id", "add 00000000-0000-0000-0000-000000000000 q 1000 60000 1\r\nx\r\n", "Invalid ID"
              "max id", "add ffffffff-ffff-ffff-ffff-ffffffffffff q 1000 60000 1\r\nx\r\n", "Invalid ID"
              "id without dashes", "delete 6ba7b8109dad11d180b400c04fd430c4\r\n", "Invalid ID"
              "id in braces", "inspect job {6ba7b810-9dad-11d1-80b4-00c04fd430c4}\r\n", "Invalid ID"
              "id first", "add nope bad$ 0 0 1\r\nx\r\n", "Invalid ID"
              "bad name", add' "bad$name 1000 60000 1", "Invalid Name"
              "name of 256 bytes", add' $"{nameOf 256} 1000 60000 1", "Invalid Name"
              "bad name in lease", "lease ok bad/name 100\r\n", "Invalid Name"
              "ttr 0", add' "q 0 60000 1", "Invalid TTR"
              "ttr too big", add' "q 86400001 60000 1", "Invalid TTR"
              "ttr with +", add' "q +5 60000 1", "Invalid TTR"
              "ttl 0", add' "q 1000 0 1", "Invalid TTL"
              "ttl too big", add' "q 1000 2592000001 1", "Invalid TTL"
              "time not a time", $"schedule {id} q 1000 60000 tomorrow 1\r\nx\r\n", "Invalid Time"
              "priority too big", add' "q 1000 60000 1 -priority=2147483648", "Invalid Priority"
              "priority with +", add' "q 1000 60000 1 -priority=+1", "Invalid Priority"
              "priority checked before max-attempts", add' "q 1000 60000 1 -max-attempts=999 -priority=x", "Invalid Priority"
              "max-attempts 256", add' "q 1000 60000 1 -max-attempts=256", "Invalid Max Attempts"
              "max-fails 256", add' "q 1000 60000 1 -max-fails=256", "Invalid Max Fails"
              "lease wait too long", "lease q 86400001\r\n", "Invalid wait timeout"
              "result wait not a number", $"result {id} soon\r\n", "Invalid wait timeout"
              "run wait negative", $"run {id} q 1000 -1 1\r\nx\r\n", "Invalid wait timeout"
              "cursor offset", "inspect jobs q x 10\r\n", "Invalid cursor offset"
              "limit", "inspect jobs q 0 101\r\n", "Invalid limit" ]
        for name, request, text in cases do
            clientTest name (fun _ c ->
                task {
                    do! call c request (clientError text)
                    // The connection is still open and reads the next request normally.
                    do! call c "lease q 0\r\n" timeout
                })

        clientTest "Duplicate job for add, schedule and run while the id is held" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 1000 60000 "x" []) ok
                do! call c (addReq id "q" 1000 60000 "y" []) (clientError "Duplicate job")
                do! call c (scheduleReq id "q" 1000 60000 (timeText DateTime.UtcNow) "y" []) (clientError "Duplicate job")
                do! call c (runReq id "q" 1000 100 "y" []) (clientError "Duplicate job")
                do! call c (completeReq id "r") ok
                // A finished job still holds its id.
                do! call c (addReq id "q" 1000 60000 "y" []) (clientError "Duplicate job")
                do! call c "lease q 0\r\n" timeout
            })

        clientTest "NOT-FOUND keeps the connection" (fun _ c ->
            task {
                let id = newId ()
                do! call c $"delete {id}\r\n" notFound
                do! call c $"inspect job {id}\r\n" notFound
                do! call c $"result {id} 0\r\n" notFound
                do! call c (completeReq id "x") notFound
                do! call c "inspect queue q\r\n" notFound
                do! call c "lease q 0\r\n" timeout
            })

        clientTest "leading, trailing and repeated spaces are harmless; bare LF ends a line" (fun _ c ->
            task {
                let id = newId ()
                do! call c $"   add  {id}   q 1000  60000 1   -priority=2  \r\nx\r\n" ok
                do! call c "  lease   q   0  \n" (leased id "q" 1000 "x")
            })
    ]

let closingErrors =
    testList "errors that close the connection" [
        serverTest "payload size mismatch: the leftover bytes are never executed" (fun ep ->
            task {
                use! c = connect ep
                let first, hidden = newId (), newId ()
                // One byte announced; what follows it is a whole add, never to be run.
                let leftover = addReq hidden "q" 1000 60000 "y" []
                do! send c ($"add {first} q 1000 60000 1\r\nx" + leftover)
                do! expect c (clientError "Invalid payload size")
                do! expectClosed c
                use! d = connect ep
                let! r1 = tryInspectJob d first
                let! r2 = tryInspectJob d hidden
                Expect.isNone r1 "the add with bad data is not executed"
                Expect.isNone r2 "leftover bytes are not executed"
            })

        serverTest "fail with a short result: Invalid result size, closed" (fun ep ->
            task {
                use! c = connect ep
                do! call c (addReq exampleId "q" 1000 60000 "x" []) ok
                do! send c $"fail {exampleId} 5\r\nab\r\n"
                do! expectSilence c 100
                // The 5th byte, then no CR LF after it.
                do! send c "xyz"
                do! expect c (clientError "Invalid result size")
                do! expectClosed c
                use! d = connect ep
                let! r = inspectOne d $"job {exampleId}"
                Expect.equal (value r "state") "0" "the job was not failed"
            })

        for name, request, text in
            [ "add size too large", $"add {exampleId} q 1000 60000 1048577\r\n", "Invalid payload size"
              "add size not a number", $"add {exampleId} q 1000 60000 ten\r\n", "Invalid payload size"
              "add size negative", $"add {exampleId} q 1000 60000 -1\r\n", "Invalid payload size"
              "complete size too large", $"complete {exampleId} 1048577\r\n", "Invalid payload size"
              "fail size too large", $"fail {exampleId} 1048577\r\n", "Invalid result size"
              "schedule size too large", $"schedule {exampleId} q 1000 60000 2030-01-01T00:00:00Z 1048577\r\n", "Invalid payload size"
              "run size too large", $"run {exampleId} q 1000 1000 1048577\r\n", "Invalid payload size"
              "add with too few positionals", $"add {exampleId} q 1000 1\r\nx\r\n", "Invalid command args"
              "add with too many positionals", $"add {exampleId} q 1000 60000 1 1\r\nx\r\n", "Invalid command args"
              "complete without size", $"complete {exampleId}\r\n", "Invalid command args"
              "run with too few positionals", $"run {exampleId} q 1000 1\r\nx\r\n", "Invalid command args" ] do
            serverTest name (fun ep ->
                task {
                    use! c = connect ep
                    do! call c request (clientError text)
                    do! expectClosed c
                    use! d = connect ep
                    let! r = tryInspectJob d exampleId
                    Expect.isNone r "no job was created"
                })

        clientTest "a line of 65,536 bytes is accepted" (fun _ c ->
            task {
                let line = "lease q 0".PadRight 65536
                do! call c (line + "\r\n") timeout
            })

        clientTest "a line over 65,536 bytes without a line end: Line too long, closed" (fun _ c ->
            task {
                do! send c (String('a', 65537))
                do! expect c (clientError "Line too long")
                do! expectClosed c
            })
    ]

let pipelining =
    testList "pipelining" [
        clientTest "many requests in one write are answered in order" (fun _ c ->
            task {
                let ids = List.init 30 (fun _ -> newId ())
                let requests =
                    [ yield! ids |> List.mapi (fun i id -> addReq id "p" 5000 60000 $"job{i}\r\n" [])
                      yield "inspect queue p\r\n"
                      for _ in ids -> "lease p 0\r\n"
                      yield! ids |> List.map (fun id -> completeReq id id)
                      yield "lease p 0\r\n"
                      yield! ids |> List.map (fun id -> $"result {id} 0\r\n")
                      yield "frobnicate\r\n" ]
                let replies =
                    [ for _ in ids -> ok
                      yield "+OK 1\r\np 4\r\nready-len 30\r\nscheduled-len 0\r\nleased-len 0\r\nworkers 0\r\n"
                      yield! ids |> List.mapi (fun i id -> leased id "p" 5000 $"job{i}\r\n")
                      for _ in ids -> ok
                      yield timeout
                      yield! ids |> List.map (fun id -> resultOf id true id)
                      yield clientError "Unknown command" ]
                do! call c (String.concat "" requests) (String.concat "" replies)
            })

        serverTest "a blocking lease delays the requests behind it on its connection only" (fun ep ->
            task {
                use! a = connect ep
                use! b = connect ep
                let j, k = newId (), newId ()
                do! send a (addReq j "q" 5000 60000 "j" [] + "lease other 10000\r\n" + $"inspect job {j}\r\n")
                do! expect a ok
                // a is blocked; b is served at once.
                let sw = Stopwatch.StartNew()
                let! r = inspectOne b $"job {j}"
                expectPrompt sw "another connection's inspect"
                Expect.equal (value r "state") "0" "job j is new"
                do! expectSilence a 300
                do! call b (addReq k "other" 5000 60000 "k" []) ok
                do! expect a (leased k "other" 5000 "k")
                let! r = readInspect a
                match r with
                | Ok [ r ] -> Expect.equal r.Label j "the inspect behind the lease is answered after it"
                | other -> failtestf "unexpected %A" other
            })
    ]

/// Every byte value, with CR, LF, CR LF and NUL in awkward places.
let binaryPayload =
    "\r\n\000" + String([| for b in 0..255 -> char b |]) + "\r\n\r\r\n\n\000\r\n"

/// `n` pseudo-random bytes (fixed seed), CR, LF and NUL included.
let randomPayload (n: int) =
    let bytes = Array.zeroCreate<byte> n
    Random(1234).NextBytes bytes
    textOf bytes

let payloads =
    testList "payloads" [
        clientTest "binary payload and result with CR, LF and NUL" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "bin" 1000 60000 binaryPayload []) ok
                let! r = inspectOne c $"job {id}"
                Expect.equal (value r "payload") binaryPayload "inspect job payload, read by size"
                Expect.equal (value r "state") "0" "key after the payload"
                do! call c "lease bin 0\r\n" (leased id "bin" 1000 binaryPayload)
                let result = "\000" + binaryPayload
                do! call c (completeReq id result) ok
                do! call c $"result {id} 0\r\n" (resultOf id true result)
            })

        clientTest "empty payload and empty result" (fun _ c ->
            task {
                let id = newId ()
                do! call c $"add {id} e 1000 60000 0\r\n\r\n" ok
                do! call c "lease e 0\r\n" $"+OK 1\r\n{id} e 1000 0\r\n\r\n"
                do! call c $"complete {id} 0\r\n\r\n" ok
                do! call c $"result {id} 0\r\n" $"+OK 1\r\n{id} 1 0\r\n\r\n"
            })

        clientTest "1 MiB payload and result round trip" (fun _ c ->
            task {
                let id = newId ()
                let payload = randomPayload 1_048_576
                let result = String(payload.ToCharArray() |> Array.rev)
                do! call c (addReq id "big" 30000 60000 payload []) ok
                do! call c "lease big 0\r\n" (leased id "big" 30000 payload)
                do! call c (completeReq id result) ok
                do! call c $"result {id} 0\r\n" (resultOf id true result)
                // The 1 MiB size is allowed for fail and schedule too.
                let f = newId ()
                do! call c (scheduleReq f "big" 30000 60000 (timeText DateTime.UtcNow) payload []) ok
                do! call c (failReq f result) ok
                do! call c $"result {f} 0\r\n" (resultOf f false result)
            })
    ]

let leasing =
    testList "lease" [
        serverTest "a blocked lease is woken by an add on another connection" (fun ep ->
            task {
                use! w = connect ep
                use! p = connect ep
                let sw = Stopwatch.StartNew()
                do! send w "lease q 10000\r\n"
                do! waitForWorkers p "q" 1
                let id = newId ()
                do! call p (addReq id "q" 1000 60000 "wake" []) ok
                do! expect w (leased id "q" 1000 "wake")
                Expect.isLessThan (elapsedSince sw) 5000.0 "woken by the add, not by its wait-timeout"
                let! q = inspectOne p "queue q"
                expectRecord q "q" (queueKeys 0 0 1 0)
            })

        serverTest "a ready job goes to the earliest waiting worker" (fun ep ->
            task {
                use! first = connect ep
                use! second = connect ep
                use! p = connect ep
                do! send first "lease q 10000\r\n"
                do! waitForWorkers p "q" 1
                do! send second "lease other q 10000\r\n"
                do! waitForWorkers p "q" 2
                let a, b = newId (), newId ()
                do! call p (addReq a "q" 1000 60000 "a" []) ok
                do! expect first (leased a "q" 1000 "a")
                do! expectSilence second 200
                do! call p (addReq b "q" 1000 60000 "b" []) ok
                do! expect second (leased b "q" 1000 "b")
            })

        clientTest "across names: priority first, then age, whatever the name order" (fun _ c ->
            task {
                let a, b, hi = newId (), newId (), newId ()
                do! call c (addReq a "one" 1000 60000 "a" []) ok
                do! call c (addReq b "two" 1000 60000 "b" []) ok
                do! call c (addReq hi "one" 1000 60000 "hi" [ "-priority=3" ]) ok
                do! call c "lease two one 0\r\n" (leased hi "one" 1000 "hi")
                do! call c "lease two one 0\r\n" (leased a "one" 1000 "a")
                do! call c "lease two one 0\r\n" (leased b "two" 1000 "b")
                do! call c "lease two one 0\r\n" timeout
            })

        clientTest "negative priorities sort below the default" (fun _ c ->
            task {
                let neg, zero = newId (), newId ()
                do! call c (addReq neg "q" 1000 60000 "n" [ "-priority=-2147483648" ]) ok
                do! call c (addReq zero "q" 1000 60000 "z" []) ok
                do! call c "lease q 0\r\n" (leased zero "q" 1000 "z")
                do! call c "lease q 0\r\n" (leased neg "q" 1000 "n")
            })

        clientTest "lease 0 answers at once with nothing ready, and takes a ready job" (fun _ c ->
            task {
                let sw = Stopwatch.StartNew()
                do! call c "lease q 0\r\n" timeout
                expectPrompt sw "lease q 0"
                let id = newId ()
                do! call c (addReq id "q" 1000 60000 "x" []) ok
                do! call c "lease q 0\r\n" (leased id "q" 1000 "x")
            })
    ]

let running =
    testList "run" [
        serverTest "run answered by a worker's complete, then the job is gone" (fun ep ->
            task {
                use! r = connect ep
                use! w = connect ep
                let id = newId ()
                do! send r (runReq id "jobs" 5000 10000 "work" [ "-priority=4" ])
                do! call w "lease jobs 5000\r\n" (leased id "jobs" 5000 "work")
                let! j = inspectOne w $"job {id}"
                expectRecord j id (jobKeys "jobs" 5000 (value j "ttl" |> int) "work" 0 1 0 0 4 4)
                do! expectSilence r 100
                do! call w (completeReq id "done") ok
                do! expect r (resultOf id true "done")
                do! jobGone w id
                do! call r $"result {id} 0\r\n" notFound
            })

        serverTest "run answered by a worker's fail" (fun ep ->
            task {
                use! r = connect ep
                use! w = connect ep
                let id = newId ()
                do! send r (runReq id "jobs" 5000 10000 "work" [])
                do! call w "lease jobs 5000\r\n" (leased id "jobs" 5000 "work")
                do! call w (failReq id "bad\r\nnews") ok
                do! expect r (resultOf id false "bad\r\nnews")
                do! jobGone w id
            })

        clientTest "run times out when no worker leases it; the job is then gone" (fun _ c ->
            task {
                let id = newId ()
                let sw = Stopwatch.StartNew()
                do! call c (runReq id "nobody" 5000 300 "x" []) timeout
                expectWaited sw 300.0 "run with wait 300"
                do! call c $"result {id} 0\r\n" notFound
                do! call c "lease nobody 0\r\n" timeout
            })

        serverTest "run leased at its wait-timeout is answered when the worker completes" (fun ep ->
            task {
                use! r = connect ep
                use! w = connect ep
                let id = newId ()
                do! send w "lease q 5000\r\n"
                do! waitForWorkers r "q" 1
                do! send r (runReq id "q" 10000 300 "x" [])
                do! expect w (leased id "q" 10000 "x")
                // Well past the 300 ms wait: still waiting, because the job is leased.
                do! expectSilence r 700
                do! call w (completeReq id "late") ok
                do! expect r (resultOf id true "late")
            })

        serverTest "run leased at its wait-timeout times out when that lease's TTR runs out" (fun ep ->
            task {
                use! r = connect ep
                use! w = connect ep
                let id = newId ()
                do! send w "lease q 5000\r\n"
                do! waitForWorkers r "q" 1
                let sw = Stopwatch.StartNew()
                do! send r (runReq id "q" 600 300 "x" [])
                do! expect w (leased id "q" 600 "x")
                do! expect r timeout
                expectWaited sw 600.0 "run whose lease's TTR ran out"
                do! jobGone w id
            })

        serverTest "a run client that disconnects removes its job; its waiters get NOT-FOUND" (fun ep ->
            task {
                use! r = connect ep
                use! waiter = connect ep
                use! c = connect ep
                let id = newId ()
                do! send r (runReq id "q" 5000 30000 "x" [])
                do! jobExists c id
                do! send waiter $"result {id} 30000\r\n"
                do! expectSilence waiter 100
                close r
                do! expect waiter notFound
                do! jobGone c id
                do! call c "lease q 0\r\n" timeout
            })

        serverTest "a run whose job is deleted by another connection answers NOT-FOUND" (fun ep ->
            task {
                use! r = connect ep
                use! c = connect ep
                let id = newId ()
                do! send r (runReq id "q" 5000 30000 "x" [])
                do! jobExists c id
                do! call c $"delete {id}\r\n" ok
                do! expect r notFound
            })
    ]

let waiters =
    testList "result waiters" [
        serverTest "several connections waiting on one job all get the result" (fun ep ->
            task {
                use! w = connect ep
                use! waiting = connectMany ep 3
                let ws = waiting.All
                let id = newId ()
                do! call w (addReq id "q" 5000 60000 "x" []) ok
                for c in ws do
                    do! send c $"result {id} 30000\r\n"
                for c in ws do
                    do! expectSilence c 50
                do! call w "lease q 0\r\n" (leased id "q" 5000 "x")
                do! call w (completeReq id "all") ok
                for c in ws do
                    do! expect c (resultOf id true "all")
            })

        serverTest "a waiter on a job deleted by another connection gets NOT-FOUND" (fun ep ->
            task {
                use! waiter = connect ep
                use! c = connect ep
                let id = newId ()
                do! call c (addReq id "q" 5000 60000 "x" []) ok
                do! send waiter $"result {id} 60000\r\n"
                do! expectSilence waiter 200
                let sw = Stopwatch.StartNew()
                do! call c $"delete {id}\r\n" ok
                do! expect waiter notFound
                expectPrompt sw "NOT-FOUND after delete"
            })
    ]

let lifecycle =
    testList "job lifecycle" [
        serverTest "TTR timeout: the job returns to its queue and is leased again" (fun ep ->
            task {
                use! w1 = connect ep
                use! w2 = connect ep
                let id = newId ()
                do! call w1 (addReq id "q" 400 60000 "x" []) ok
                let sw = Stopwatch.StartNew()
                do! call w1 "lease q 0\r\n" (leased id "q" 400 "x")
                // w1 never answers in time; w2's blocking lease gets the job back.
                do! call w2 "lease q 5000\r\n" (leased id "q" 400 "x")
                expectWaited sw 400.0 "lease after TTR"
                let! r = inspectOne w2 $"job {id}"
                expectRecord r id (jobKeys "q" 400 60000 "x" 0 2 0 0 0 4)
                // A late complete from w1 still counts: nobody finished it first.
                do! call w1 (completeReq id "late") ok
                do! call w2 (completeReq id "mine") (clientError "Duplicate result")
                do! call w2 $"result {id} 0\r\n" (resultOf id true "late")
            })

        serverTest "TTL expiry removes the job and counts it as evicted" (fun ep ->
            task {
                use! c = connect ep
                use! waiter = connect ep
                let gone, finished, kept = newId (), newId (), newId ()
                let sw = Stopwatch.StartNew()
                do! call c (addReq gone "q" 1000 300 "x" []) ok
                do! call c (addReq finished "q" 1000 500 "y" []) ok
                do! call c (addReq kept "q" 1000 60000 "z" []) ok
                do! call c (completeReq finished "r") ok
                do! send waiter $"result {gone} 60000\r\n"
                // The waiter hears NOT-FOUND as soon as the job expires.
                do! expect waiter notFound
                expectWaited sw 300.0 "result on an expiring job"
                do! jobGone c gone
                do! jobGone c finished
                do! call c $"result {gone} 0\r\n" notFound
                do! call c $"result {finished} 0\r\n" notFound
                // Only the unfinished job counts as evicted.
                let! r = inspectOne c "server"
                Expect.equal (value r "evicted-jobs") "1" "evicted-jobs"
                Expect.equal (value r "jobs") "1" "jobs left"
                let! k = tryInspectJob c kept
                Expect.isSome k "a job with a long TTL stays"
            })

        serverTest "max-attempts: after the last attempt's TTR the job fails with an empty result" (fun ep ->
            task {
                use! c = connect ep
                use! waiter = connect ep
                let id = newId ()
                do! call c (addReq id "q" 150 60000 "x" [ "-max-attempts=2" ]) ok
                do! send waiter $"result {id} 30000\r\n"
                do! call c "lease q 0\r\n" (leased id "q" 150 "x")
                do! call c "lease q 5000\r\n" (leased id "q" 150 "x")
                // No third attempt: the waiter gets the empty failure.
                do! expect waiter (resultOf id false "")
                let! r = inspectOne c $"job {id}"
                expectRecord r id (jobKeys "q" 150 60000 "x" 2 2 0 0 0 2)
                do! call c "lease q 0\r\n" timeout
            })

        clientTest "max-fails retries, but attempts left decide too" (fun _ c ->
            task {
                let id = newId ()
                do! call c (addReq id "q" 5000 60000 "x" [ "-max-fails=3"; "-max-attempts=2" ]) ok
                do! call c "lease q 0\r\n" (leased id "q" 5000 "x")
                do! call c (failReq id "1") ok
                let! r = inspectOne c $"job {id}"
                Expect.equal (value r "state") "3" "requeued after the first fail"
                do! call c "lease q 0\r\n" (leased id "q" 5000 "x")
                // fails 2 < 3, but no attempt is left: final.
                do! call c (failReq id "2") ok
                do! call c $"result {id} 0\r\n" (resultOf id false "2")
                do! call c "lease q 0\r\n" timeout
            })

        clientTest "max-fails 1 (and 0): the first fail is final" (fun _ c ->
            task {
                for flags in [ [ "-max-fails=1" ]; [] ] do
                    let id = newId ()
                    do! call c (addReq id "q" 5000 60000 "x" flags) ok
                    do! call c "lease q 0\r\n" (leased id "q" 5000 "x")
                    do! call c (failReq id "f") ok
                    do! call c $"result {id} 0\r\n" (resultOf id false "f")
                    do! call c "lease q 0\r\n" timeout
            })

        clientTest "a requeued job keeps its place in the queue" (fun _ c ->
            task {
                let first, second = newId (), newId ()
                do! call c (addReq first "q" 5000 60000 "1" [ "-max-fails=5" ]) ok
                do! call c (addReq second "q" 5000 60000 "2" []) ok
                do! call c "lease q 0\r\n" (leased first "q" 5000 "1")
                do! call c (failReq first "retry") ok
                do! call c "lease q 0\r\n" (leased first "q" 5000 "1")
            })
    ]

let connections =
    testList "connections" [
        serverTest "a worker that disconnects while waiting does not take the next job" (fun ep ->
            task {
                use! dead = connect ep
                use! live = connect ep
                use! p = connect ep
                do! send dead "lease q 30000\r\n"
                do! waitForWorkers p "q" 1
                do! send live "lease q 30000\r\n"
                do! waitForWorkers p "q" 2
                close dead
                let id = newId ()
                do! call p (addReq id "q" 5000 60000 "x" []) ok
                do! expect live (leased id "q" 5000 "x")
                do! waitForWorkers p "q" 0
                let! q = inspectOne p "queue q"
                expectRecord q "q" (queueKeys 0 0 1 0)
            })

        serverTest "active-clients goes up and down" (fun ep ->
            task {
                use! c = connect ep
                let! n = serverStat c "active-clients"
                Expect.equal n "1" "just this client"
                use! others = connectMany ep 2
                for o in others.All do
                    do! call o "lease none 0\r\n" timeout
                let! n = serverStat c "active-clients"
                Expect.equal n "3" "two more clients"
                (others :> IDisposable).Dispose()
                do! eventually 5000 "active-clients back to 1" (fun () ->
                    task {
                        let! n = serverStat c "active-clients"
                        return n = "1"
                    })
            })

        serverTest "a slow client with a partial request does not delay another client" (fun ep ->
            task {
                use! slow = connect ep
                use! fast = connect ep
                let id = newId ()
                do! send slow "inspect ser"
                let sw = Stopwatch.StartNew()
                do! call fast (addReq id "q" 1000 60000 "x" []) ok
                do! call fast "lease q 0\r\n" (leased id "q" 1000 "x")
                expectPrompt sw "the fast client"
                // A partial payload stalls the slow client's next request only.
                do! send slow "ver\r\n"
                match! readInspect slow with
                | Ok [ r ] -> Expect.equal (value r "active-clients") "2" "both clients"
                | other -> failtestf "unexpected %A" other
                do! send slow $"complete {id} 10\r\nabc"
                sw.Restart()
                do! call fast $"result {id} 0\r\n" timeout
                expectPrompt sw "the fast client, again"
                do! send slow "defghij\r\n"
                do! expect slow ok
                do! call fast $"result {id} 0\r\n" (resultOf id true "abcdefghij")
            })
    ]

[<Tests>]
let tests =
    testList "integration over TCP" [
        commands
        examples
        keptErrors
        closingErrors
        pipelining
        payloads
        leasing
        running
        waiters
        lifecycle
        connections
    ]
