/// Durability of the command log, over TCP: restarts, timers across downtime, the
/// directory lock, damaged logs, compaction, rotation, a full disk and killed processes.
module Workq.Tests.CommandLogTests

open System
open System.Buffers
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Net
open System.Runtime.ExceptionServices
open System.Threading
open System.Threading.Tasks
open Expecto
open Workq.Host
open Workq.Host.CommandLog
open Workq.Tests.TcpTestClient
open Workq.Tests.IntegrationTests
open Workq.Tests.ServerFixture
open Workq.Tests.ServerProcess

let private hour = 3_600_000

// ---------------------------------------------------------------------------
// Log directories and their files

let newDir () =
    let dir = Path.Combine(Path.GetTempPath(), "workq-cmdlog-" + Guid.NewGuid().ToString "N")
    Directory.CreateDirectory dir |> ignore
    dir

/// Segment files, oldest first (their names sort in order).
let private segments dir = Directory.GetFiles(dir, "*.wql") |> Array.sort

let private snapshots dir = Directory.GetFiles(dir, "snapshot-*.wqs") |> Array.sort

/// Whether `marker` occurs in any segment: how we tell what was written.
let private loggedAnywhere dir (marker: string) =
    segments dir |> Array.exists (fun path -> (textOf (File.ReadAllBytes path)).Contains marker)

/// Offsets of the records of a segment: a 16-byte header, then `[length u32][crc u32][body]`.
let private recordOffsets (bytes: byte[]) =
    let rec go pos acc =
        if pos + 8 > bytes.Length then List.rev acc
        else go (pos + 8 + BitConverter.ToInt32(bytes, pos)) (pos :: acc)
    go 16 []

// ---------------------------------------------------------------------------
// In-process servers on a log directory

let logArgs dir (extra: string list) =
    Array.append [| "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir |] (Array.ofList extra)

let startOn dir extra = startServer (logArgs dir extra)

let stop (server: RunningServer) : Task<unit> =
    task { do! server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds 15.0) }

/// Runs `body` against a server started with `args`, then stops the server.
let onServerWith (args: string[]) (body: IPEndPoint -> Task<'a>) : Task<'a> =
    task {
        let! server = startServer args
        return! tryFinallyTask (fun () -> body server.EndPoint) (fun () -> stop server)
    }

/// Runs `body` against a server on `dir`, then stops the server.
let onServer dir extra body = onServerWith (logArgs dir extra) body

/// Like `onServer`, with one connection.
let withClient dir extra (body: Client -> Task<'a>) : Task<'a> =
    onServer dir extra (fun ep ->
        task {
            use! c = connect ep
            return! body c
        })

/// A test with its own log directory, removed afterwards.
let logTest name (body: string -> Task<unit>) =
    testCaseAsync name (async {
        let dir = newDir ()
        try
            try
                do! body dir |> Async.AwaitTask
            with :? AggregateException as e when e.InnerExceptions.Count = 1 ->
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw()
        finally
            try Directory.Delete(dir, true) with _ -> ()
    })

// ---------------------------------------------------------------------------
// What a client can observe, to compare before and after a restart

/// `inspect job` for many ids, pipelined.
let inspectJobs (c: Client) (ids: string seq) : Task<(string * Record option) list> =
    task {
        let found = ResizeArray()
        for chunk in Seq.chunkBySize 200 ids do
            do! send c (chunk |> Array.map (fun id -> $"inspect job {id}\r\n") |> String.concat "")
            for id in chunk do
                match! readInspect c with
                | Ok [ r ] -> found.Add(id, Some r)
                | Error "-NOT-FOUND" -> found.Add(id, None)
                | other -> failtestf "inspect job %s: unexpected %A" id other
        return List.ofSeq found
    }

type private Observed =
    { Queues: Record list
      Ready: (string * Record list) list
      Scheduled: (string * Record list) list
      Jobs: (string * Record option) list
      Evicted: string }

/// Every queue with its ready and scheduled jobs in order, the given jobs, and evicted-jobs.
let private observe (c: Client) (ids: string list) : Task<Observed> =
    task {
        let! queues = inspect c "queues 0 100"
        let ready = ResizeArray()
        let scheduled = ResizeArray()
        for q in queues do
            let! r = inspect c $"jobs {q.Label} 0 100"
            ready.Add(q.Label, r)
            let! s = inspect c $"scheduled-jobs {q.Label} 0 100"
            scheduled.Add(q.Label, s)
        let! jobs = inspectJobs c ids
        let! evicted = serverStat c "evicted-jobs"
        return
            { Queues = queues
              Ready = List.ofSeq ready
              Scheduled = List.ofSeq scheduled
              Jobs = jobs
              Evicted = evicted }
    }

let private jobOf (o: Observed) id =
    match List.tryFind (fst >> (=) id) o.Jobs with
    | Some(_, Some r) -> r
    | _ -> failtestf "job %s was not found" id

/// Asserts `inspect job` shows `state` (and, when given, the attempt and fail counts).
let private expectJob (o: Observed) id (state: int) (attempts: int option) (fails: int option) what =
    let r = jobOf o id
    Expect.equal (value r "state") (string state) $"state of the {what} job"
    attempts |> Option.iter (fun a -> Expect.equal (value r "attempts") (string a) $"attempts of the {what} job")
    fails |> Option.iter (fun f -> Expect.equal (value r "fails") (string f) $"fails of the {what} job")

let private expectGone (o: Observed) id what =
    Expect.isNone (List.find (fst >> (=) id) o.Jobs |> snd) $"the {what} job should be gone"

// ---------------------------------------------------------------------------
// A small tmpfs, to run out of disk space

let private runTool (file: string) (args: string list) =
    let psi = ProcessStartInfo(file, args, RedirectStandardOutput = true, RedirectStandardError = true)
    use p = new Process(StartInfo = psi)
    p.Start() |> ignore
    let out = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd()
    p.WaitForExit()
    p.ExitCode, out

/// Mounts a 1 MiB tmpfs on `mount` and runs `body` on a log directory in it; the disk is
/// filled beside the log directory, which may hold nothing but the log. Not being able
/// to mount is a failure, not a skip.
let onTmpfs mount (body: string -> Task<unit>) : Task<unit> =
    task {
        let code, out = runTool "mount" [ "-t"; "tmpfs"; "-o"; "size=1m"; "tmpfs"; mount ]
        if code <> 0 then
            failtestf "mount -t tmpfs on %s failed (exit %d: %s); this test needs root" mount code (out.Trim())
        return!
            tryFinallyTask
                (fun () -> body (Directory.CreateDirectory(Path.Combine(mount, "log")).FullName))
                (fun () ->
                    task {
                        let code, out = runTool "umount" [ mount ]
                        if code <> 0 then eprintfn "umount %s failed (exit %d): %s" mount code out
                    })
    }

/// Writes a filler file until the file system is full; returns its path.
let fillDisk dir =
    let path = Path.Combine(dir, "filler")
    use handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write)
    let mutable at = 0L
    for chunk in [ 65536; 4096; 512 ] do
        let data = Array.create chunk 0x55uy
        let mutable full = false
        while not full do
            try
                RandomAccess.Write(handle, ReadOnlySpan data, at)
                at <- at + int64 chunk
            with :? IOException ->
                full <- true
    path

// ---------------------------------------------------------------------------
// Tests

/// Deadlines that pass while the server is down, replayed from segments or from a snapshot.
let private timersTest fromSnapshot =
    let source = if fromSnapshot then "a snapshot" else "the segments"
    let args = if fromSnapshot then [ "--cmdlog-clean-int"; "100" ] else []
    logTest $"timers run on from the recorded instants while the server is down (from {source})" (fun dir ->
        task {
            let t1, l1, s1 = newId (), newId (), newId ()
            let ids = [ t1; l1; s1 ]
            let setUp = Stopwatch()
            do!
                withClient dir args (fun c ->
                    task {
                        do! call c (addReq t1 "tq" 60000 2000 "t1" []) ok
                        do! call c (addReq l1 "lq" 2000 hour "l1" []) ok
                        do! call c "lease lq 0\r\n" (leased l1 "lq" 2000 "l1")
                        let at = timeText (DateTime.UtcNow.AddMilliseconds 2000.0)
                        do! call c (scheduleReq s1 "sq" 60000 hour at "s1" []) ok
                        // Every deadline is at most 2 s from here.
                        setUp.Start()
                        let! o = observe c ids
                        expectJob o t1 0 None None "expiring"
                        expectJob o l1 4 (Some 1) None "leased"
                        Expect.equal (o.Scheduled |> List.find (fst >> (=) "sq") |> snd |> List.map _.Label) [ s1 ] "scheduled"
                        if fromSnapshot then
                            // Until a snapshot holds every job and the segments hold nothing more.
                            do!
                                eventually 15000 "a snapshot of everything" (fun () ->
                                    task {
                                        let! _ = serverStat c "evicted-jobs"
                                        let segmentsEmpty = segments dir |> Array.forall (fun f -> FileInfo(f).Length = 16L)
                                        return not (Array.isEmpty (snapshots dir)) && segmentsEmpty
                                    })
                    })
            // Down past every deadline, with a margin.
            let left = 3000 - int setUp.ElapsedMilliseconds
            if left > 0 then do! Task.Delay left
            do!
                withClient dir [] (fun c ->
                    task {
                        // The scheduled job is ready at once.
                        do! call c "lease sq 0\r\n" (leased s1 "sq" 60000 "s1")
                        // The TTL was not renewed.
                        do! call c $"result {t1} 0\r\n" notFound
                        let! evicted = serverStat c "evicted-jobs"
                        Expect.equal evicted "1" "evicted-jobs after the restart"
                        // The lease timed out: requeued, its attempt counted.
                        let! o = observe c [ l1 ]
                        expectJob o l1 3 (Some 1) None "timed-out"
                        do! call c "lease lq 0\r\n" (leased l1 "lq" 2000 "l1")
                    })
        })

let private restartTests =
    testList "restart" [
        logTest "a restart keeps every acknowledged change, and not run jobs" (fun dir ->
            task {
                let ids = [ for _ in 1..10 -> newId () ]
                let a1, a2, a3, s1, l1 = ids[0], ids[1], ids[2], ids[3], ids[4]
                let c1, f1, f2, d1, e1 = ids[5], ids[6], ids[7], ids[8], ids[9]
                let r1 = newId ()
                let runMarker = "run-payload-" + r1
                let! before, runner =
                    onServer dir [] (fun ep ->
                        task {
                            use! c = connect ep
                            use! w = connect ep
                            // Ready order: priority first, then age.
                            do! call c (addReq a1 "q" 60000 hour ("a1-" + a1) []) ok
                            do! call c (addReq a2 "q" 60000 hour ("a2-" + a2) [ "-priority=5" ]) ok
                            do! call c (addReq a3 "q" 60000 hour ("a3-" + a3) []) ok
                            let later = timeText (DateTime.UtcNow.AddHours 1.0)
                            do! call c (scheduleReq s1 "sq" 60000 hour later "s1" [ "-max-attempts=7" ]) ok
                            do! call c (addReq l1 "lq" 600000 hour "l1" []) ok
                            do! call w "lease lq 0\r\n" (leased l1 "lq" 600000 "l1")
                            do! call c (addReq c1 "cq" 60000 hour "c1" []) ok
                            do! call w "lease cq 0\r\n" (leased c1 "cq" 60000 "c1")
                            do! call w (completeReq c1 "done") ok
                            // One fail of three allowed: back in its queue, one fail counted.
                            do! call c (addReq f1 "fq" 60000 hour "f1" [ "-max-fails=3" ]) ok
                            do! call w "lease fq 0\r\n" (leased f1 "fq" 60000 "f1")
                            do! call w (failReq f1 "oops") ok
                            do! call c (addReq f2 "gq" 60000 hour "f2" []) ok
                            do! call w "lease gq 0\r\n" (leased f2 "gq" 60000 "f2")
                            do! call w (failReq f2 "bad") ok
                            do! call c (addReq d1 "dq" 60000 hour "d1" []) ok
                            do! call c $"delete {d1}\r\n" ok
                            do! call c (addReq e1 "eq" 60000 300 "e1" []) ok
                            do! jobGone c e1
                            let! o = observe c ids
                            // The states we meant to make, so the comparison below means something.
                            Expect.equal
                                (o.Ready |> List.find (fst >> (=) "q") |> snd |> List.map _.Label)
                                [ a2; a1; a3 ] "ready order before the restart"
                            expectJob o l1 4 (Some 1) None "leased"
                            expectJob o c1 1 None None "completed"
                            expectJob o f1 3 (Some 1) (Some 1) "failed once"
                            expectJob o f2 2 None (Some 1) "failed"
                            expectGone o d1 "deleted"
                            expectGone o e1 "expired"
                            Expect.equal o.Evicted "1" "evicted-jobs before the restart"
                            // A run job waits in its queue while the server stops; it must not be logged.
                            // (Its connection stays open until the server has stopped.)
                            let! r = connect ep
                            do! send r (runReq r1 "rq" 60000 60000 runMarker [])
                            do! jobExists c r1
                            return o, r
                        })
                close runner
                Expect.isTrue (loggedAnywhere dir ("a1-" + a1)) "an added job's payload is in the log"
                Expect.isFalse (loggedAnywhere dir runMarker) "a run job's payload must not be in the log"
                do!
                    withClient dir [] (fun c ->
                        task {
                            let! after = observe c ids
                            Expect.equal after before "what clients see after the restart"
                            // Ages go on from the log: a new job of the same priority goes last.
                            let a4 = newId ()
                            do! call c (addReq a4 "q" 60000 hour "a4" []) ok
                            let! ready = inspect c "jobs q 0 100"
                            Expect.equal (ready |> List.map _.Label) [ a2; a1; a3; a4 ] "ready order after the restart"
                            do! call c $"inspect job {r1}\r\n" notFound
                            do! call c "inspect queue rq\r\n" notFound
                            // The lease survived: its complete still counts.
                            do! call c (completeReq l1 "late") ok
                            do! call c $"result {l1} 0\r\n" (resultOf l1 true "late")
                            do! call c $"result {c1} 0\r\n" (resultOf c1 true "done")
                            do! call c $"result {f2} 0\r\n" (resultOf f2 false "bad")
                            do! call c $"result {d1} 0\r\n" notFound
                            do! call c $"result {e1} 0\r\n" notFound
                            // A deleted id is free again only because the job is gone.
                            do! call c (addReq d1 "dq" 60000 hour "d1" []) ok
                        })
            })

        timersTest false
        timersTest true
    ]

let private lockTests =
    testList "directory lock" [
        logTest "a second server on the same directory is refused" (fun dir ->
            task {
                do!
                    onServer dir [] (fun _ ->
                        task {
                            let! e =
                                task {
                                    try
                                        let! second = startOn dir []
                                        do! stop second
                                        return None
                                    with e ->
                                        return Some e
                                }
                            match e with
                            | Some(:? CommandLogException as e) ->
                                Expect.stringContains e.Message "in use" "the in-process refusal says why"
                            | Some e -> failtestf "expected a CommandLogException, got %O" e
                            | None -> failtest "a second in-process server started on a directory in use"
                            // The same from the command line: a message and exit code 2.
                            do!
                                withProcess [ "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir ] (fun sp ->
                                    task {
                                        do! sp.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds 30.0)
                                        Expect.equal sp.Process.ExitCode 2 $"exit code; output:\n{sp.Text}"
                                        // The event handlers may still be draining the pipes.
                                        sp.Process.WaitForExit()
                                        Expect.stringContains sp.Text $"workq-server: the command log {dir} is in use" "the process's message"
                                    })
                        })
                // Once the first one is gone, the directory is free.
                let! evicted = withClient dir [] (fun c -> serverStat c "evicted-jobs")
                Expect.equal evicted "0" "a server on the freed directory"
            })

        logTest "a server stopped as soon as it started frees its directory" (fun dir ->
            task {
                // Stopped before its engine loop has run even once.
                for _ in 1..5 do
                    let! server = startOn dir []
                    do! stop server
                let! evicted = withClient dir [] (fun c -> serverStat c "evicted-jobs")
                Expect.equal evicted "0" "a server on the freed directory"
            })
    ]

/// Adds three jobs (payloads holding their ids) and stops; returns the ids.
let private threeJobs dir =
    withClient dir [] (fun c ->
        task {
            let ids = [ for _ in 1..3 -> newId () ]
            for id in ids do
                do! call c (addReq id "q" 60000 hour ("payload-" + id) []) ok
            return ids
        })

let private damageTests =
    testList "damage" [
        logTest "a torn last record is cut off with a warning" (fun dir ->
            task {
                let! ids = threeJobs dir
                let last = Array.last (segments dir)
                let length = FileInfo(last).Length
                using (new FileStream(last, FileMode.Open)) (fun f -> f.SetLength(length - 3L))
                let j4 = newId ()
                do!
                    withProcess [ "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir ] (fun sp ->
                        task {
                            let! ep = endPointOf sp
                            // The warning is logged before the listening line.
                            let warning = sp.Output |> Seq.tryFind (fun l -> l.Contains "cut short")
                            Expect.isSome warning $"a warning about the cut record; output:\n{sp.Text}"
                            Expect.stringContains warning.Value " warn: " "logged as a warning"
                            use! c = connect ep
                            let! jobs = inspectJobs c ids
                            Expect.equal (jobs |> List.map (snd >> Option.isSome)) [ true; true; false ] "jobs after the cut"
                            do! call c (addReq j4 "q" 60000 hour "j4" []) ok
                        })
                // The next record went where the cut one was: the log is sound again.
                // (Started with the original server's Go-style flags: the same directory.)
                do!
                    onServerWith [| "-listen"; "127.0.0.1:0"; "-cmdlog-path=" + dir |] (fun ep ->
                        task {
                            use! c = connect ep
                            let! jobs = inspectJobs c (ids @ [ j4 ])
                            Expect.equal (jobs |> List.map (snd >> Option.isSome)) [ true; true; false; true ] "jobs after another restart"
                        })
            })

        logTest "a new last segment whose bytes never reached the disk is started again; before another segment it is damage" (fun dir ->
            task {
                let! ids = threeJobs dir
                let first = Array.exactlyOne (segments dir)
                let next = Path.Combine(dir, "00000000000000000002.wql")
                // What a power loss may leave of a segment created after the last sync: its
                // name, and a size whose bytes (the header) were not yet written.
                for lost in [ Array.zeroCreate<byte> 16; Array.zeroCreate<byte> 5 ] do
                    File.WriteAllBytes(next, lost)
                    let later = $"later-{lost.Length}"
                    do!
                        withClient dir [] (fun c ->
                            task {
                                let! jobs = inspectJobs c ids
                                Expect.isTrue (jobs |> List.forall (snd >> Option.isSome)) $"the jobs, beside {lost.Length} lost bytes"
                                do! call c (addReq (newId ()) "q" 60000 hour later []) ok
                            })
                    Expect.equal (segments dir) [| first; next |] "the same segments"
                    Expect.equal (textOf (File.ReadAllBytes next)).[0..7] "WORKQLOG" "the segment started again"
                    Expect.stringContains (textOf (File.ReadAllBytes next)) later "the later job is in it"
                    File.Delete next
                // Not the last segment: full segments are synced before the next is begun,
                // so zeros there are damage.
                File.WriteAllBytes(next, Array.zeroCreate<byte> 16)
                File.Copy(first, Path.Combine(dir, "00000000000000000003.wql"))
                let! refusal =
                    task {
                        try
                            let! s = startOn dir []
                            do! stop s
                            return None
                        with e ->
                            return Some e
                    }
                match refusal with
                | Some(:? CommandLogException as e) -> Expect.stringContains e.Message next "the message names the file"
                | other -> failtestf "expected a CommandLogException, got %A" other
            })

        logTest "damage before the end stops startup; --cmdlog-repair cuts it with a backup" (fun dir ->
            task {
                let! ids = threeJobs dir
                let path = Array.exactlyOne (segments dir)
                let original = File.ReadAllBytes path
                let offsets = recordOffsets original
                // The record of the second job: its payload is in its body.
                let markerAt = (textOf original).IndexOf("payload-" + ids[1])
                let at = offsets |> List.findBack (fun o -> o <= markerAt)
                let damaged = Array.copy original
                damaged[at + 10] <- damaged[at + 10] ^^^ 0xFFuy
                File.WriteAllBytes(path, damaged)

                let! refusal =
                    task {
                        try
                            let! s = startOn dir []
                            do! stop s
                            return None
                        with e ->
                            return Some e
                    }
                match refusal with
                | Some(:? CommandLogException as e) ->
                    Expect.stringContains e.Message path "the message names the file"
                    Expect.stringContains e.Message $"offset {at}" "the message names the offset"
                | other -> failtestf "expected a CommandLogException, got %A" other
                Expect.equal (File.ReadAllBytes path) damaged "a refused start leaves the file alone"

                do!
                    withClient dir [ "--cmdlog-repair" ] (fun c ->
                        task {
                            let! jobs = inspectJobs c ids
                            Expect.equal (jobs |> List.map (snd >> Option.isSome)) [ true; false; false ] "the records before the damage"
                        })
                let backup = Directory.GetDirectories(dir, "repair-*") |> Array.exactlyOne
                let kept = Path.Combine(backup, nonNull (Path.GetFileName path))
                Expect.equal (File.ReadAllBytes kept) damaged "the backup holds the file as it was"
                Expect.equal (FileInfo(path).Length) (int64 at) "the segment is cut at the damage"
                // Repaired: a plain start works again.
                do! withClient dir [] (fun c -> task { do! call c $"inspect job {ids[2]}\r\n" notFound })
            })
    ]

let private compactionTests =
    testList "compaction and rotation" [
        logTest "compaction drops old segments and a restart gives the same jobs" (fun dir ->
            task {
                let args = [ "--cmdlog-clean-int"; "200" ]
                let ids = [ for _ in 1..8 -> newId () ]
                let ties = [ for _ in 1..4 -> newId () ]
                let done1, failed1, deleted1, expired1, leased1 = ids[0], ids[1], ids[2], ids[3], ids[4]
                let! before =
                    withClient dir args (fun c ->
                        task {
                            for i, id in List.indexed ids do
                                let ttl = if id = expired1 then 300 else hour
                                let queue = if id = leased1 then "lq" else $"q{i % 3}"
                                do! call c (addReq id queue 60000 ttl ("p-" + id) [ $"-priority={i % 4}" ]) ok
                            do! call c (completeReq done1 "ok") ok
                            do! call c (failReq failed1 "no") ok
                            do! call c $"delete {deleted1}\r\n" ok
                            do! jobGone c expired1
                            // Equal priorities: age decides, and a requeued job keeps its place.
                            for id in ties do
                                do! call c (addReq id "tie" 60000 hour id [ "-max-fails=3" ]) ok
                            do! call c "lease tie 0\r\n" (leased ties[0] "tie" 60000 ties[0])
                            do! call c (failReq ties[0] "again") ok
                            let first = Array.head (segments dir)
                            // Requests wake the engine, which compacts when due.
                            do!
                                eventually 15000 "a snapshot replacing the first segment" (fun () ->
                                    task {
                                        let! _ = serverStat c "evicted-jobs"
                                        return snapshots dir |> Array.isEmpty |> not && not (File.Exists first)
                                    })
                            // More after the snapshot: the restart needs snapshot and segments.
                            do! call c "lease lq 0\r\n" (leased leased1 "lq" 60000 ("p-" + leased1))
                            do! call c (completeReq ids[7] "late") ok
                            do! call c $"delete {ids[6]}\r\n" ok
                            return! observe c (ids @ ties)
                        })
                Expect.equal
                    (before.Ready |> List.find (fst >> (=) "tie") |> snd |> List.map _.Label)
                    ties "ready order of equal priorities"
                expectJob before leased1 4 (Some 1) None "leased"
                expectGone before deleted1 "deleted"
                expectGone before ids[6] "deleted after the snapshot"
                expectGone before expired1 "expired"
                do!
                    withClient dir args (fun c ->
                        task {
                            let! after = observe c (ids @ ties)
                            Expect.equal after before "what clients see after compaction and a restart"
                            let late = newId ()
                            do! call c (addReq late "tie" 60000 hour late []) ok
                            let! ready = inspect c "jobs tie 0 100"
                            Expect.equal (ready |> List.map _.Label) (ties @ [ late ]) "a new job goes last"
                            do! call c $"result {done1} 0\r\n" (resultOf done1 true "ok")
                            do! call c $"result {failed1} 0\r\n" (resultOf failed1 false "no")
                            do! call c $"result {ids[7]} 0\r\n" (resultOf ids[7] true "late")
                        })
            })

        logTest "full segments rotate and a restart replays them all" (fun dir ->
            task {
                let args = [ "--cmdlog-seg-size"; "1048576" ]
                let ids = [ for _ in 1..6 -> newId () ]
                // 400 KB each: about 2.4 MB, so at least three segments.
                let payloadOf (id: string) = String.replicate 11112 id
                let! before =
                    withClient dir args (fun c ->
                        task {
                            for id in ids do
                                do! call c (addReq id "big" 60000 hour (payloadOf id) []) ok
                            return! observe c ids
                        })
                Expect.isGreaterThanOrEqual (segments dir).Length 3 "segments written"
                do!
                    withClient dir args (fun c ->
                        task {
                            let! after = observe c ids
                            Expect.equal after before "what clients see after the restart"
                            for id in ids do
                                Expect.equal (value (jobOf after id) "payload") (payloadOf id) "payload after the restart"
                        })
            })
    ]

/// How many records each segment holds, oldest first.
let private recordsPerSegment dir =
    segments dir |> Array.map (fun path -> (recordOffsets (File.ReadAllBytes path)).Length)

let private segmentSizeTests =
    testList "segment size" [
        test "a batch that fills a segment goes on in a new one: with a tiny size, one record each" {
            let dir = newDir ()
            try
                let records = ArrayBufferWriter<byte>()
                let ends = ResizeArray<int>()
                for body in [ "one"; "two"; "three" ] do
                    Workq.Domain.CommandLog.Records.frame records (ReadOnlySpan(Text.Encoding.ASCII.GetBytes body))
                    ends.Add records.WrittenCount
                do
                    use writer = new SegmentWriter(dir, 1L, 0L, 15L)
                    writer.Append(records.WrittenSpan, ReadOnlySpan(ends.ToArray()), false)
                    Expect.equal writer.Segment 4L "the segment after the three full ones"
                Expect.equal (recordsPerSegment dir) [| 1; 1; 1; 0 |] "records per segment"
                for path, body in Seq.zip (segments dir) [ "one"; "two"; "three" ] do
                    Expect.stringEnds (textOf (File.ReadAllBytes path)) body $"{path} holds {body}"
            finally
                Directory.Delete(dir, true)
        }

        test "a batch that leaves the segment short of full is one write into it" {
            let dir = newDir ()
            try
                let records = ArrayBufferWriter<byte>()
                let ends = ResizeArray<int>()
                for body in [ "one"; "two"; "three" ] do
                    Workq.Domain.CommandLog.Records.frame records (ReadOnlySpan(Text.Encoding.ASCII.GetBytes body))
                    ends.Add records.WrittenCount
                do
                    use writer = new SegmentWriter(dir, 1L, 0L, 1024L)
                    writer.Append(records.WrittenSpan, ReadOnlySpan(ends.ToArray()), false)
                    Expect.equal writer.Segment 1L "the same segment"
                Expect.equal (recordsPerSegment dir) [| 3 |] "records per segment"
            finally
                Directory.Delete(dir, true)
        }

        logTest "-cmdlog-seg-size 15 (the original's system test): every record in a file of its own, across restarts" (fun dir ->
            task {
                let tiny = [ "-cmdlog-seg-size"; "15" ]
                let earlier = [ for _ in 1..2 -> newId () ]
                let oneByOne = [ for _ in 1..4 -> newId () ]
                let pipelined = [ for _ in 1..6 -> newId () ]
                let add id = addReq id "q" 60000 hour id []
                do! withClient dir [] (fun c -> task { for id in earlier do do! call c (add id) ok })
                Expect.equal (recordsPerSegment dir) [| 2 |] "with the default size, one segment"
                // The segment the last run left is full by the new size: it is not appended to.
                do!
                    withClient dir tiny (fun c ->
                        task {
                            for id in oneByOne do
                                do! call c (add id) ok
                            // Sent at once, so decided in one batch: one append of six records.
                            do! send c (pipelined |> List.map add |> String.concat "")
                            for _ in pipelined do
                                do! expect c ok
                        })
                let oneEach n = Array.concat [ [| 2 |]; Array.replicate n 1; [| 0 |] ]
                Expect.equal (recordsPerSegment dir) (oneEach 10) "records per segment"
                let late = newId ()
                do!
                    withClient dir tiny (fun c ->
                        task {
                            let! jobs = inspectJobs c (earlier @ oneByOne @ pipelined)
                            Expect.all jobs (snd >> Option.isSome) "every job after the restart"
                            do! call c (add late) ok
                        })
                Expect.equal (recordsPerSegment dir) (oneEach 11) "records per segment after the restart"
            })
    ]

let private diskFullTests =
    testList "full disk" [
        logTest "a full disk refuses changes, keeps reads, and recovers without a restart" (fun mount ->
            onTmpfs mount (fun dir ->
                task {
                    let a1, b1, b2, c1 = newId (), newId (), newId (), newId ()
                    let big = String('x', 100_000)
                    let refused = "-SERVER-ERROR Command log write failed: "
                    do!
                        withClient dir [] (fun c ->
                            task {
                                do! call c (addReq a1 "q" 60000 hour "a1" []) ok
                                do! call c "lease q 0\r\n" (leased a1 "q" 60000 "a1")
                                do! call c (completeReq a1 "r1") ok
                                let filler = fillDisk mount
                                for id in [ b1; c1 ] do
                                    do! send c (addReq id "q" 60000 hour big [])
                                    let! reply = readLine c
                                    Expect.stringStarts (reply + "\r\n") refused "an add on a full disk"
                                // Nothing changed, and reads go on.
                                do! call c $"inspect job {b1}\r\n" notFound
                                do! call c $"result {a1} 0\r\n" (resultOf a1 true "r1")
                                do! call c "lease q 0\r\n" timeout
                                let! a = tryInspectJob c a1
                                Expect.equal (a |> Option.map (fun r -> value r "state")) (Some "1") "the finished job"
                                // Space again: the very next add works.
                                File.Delete filler
                                do! call c (addReq b1 "q" 60000 hour big []) ok
                                do! call c (addReq b2 "q" 60000 hour "b2" []) ok
                            })
                    do!
                        withClient dir [] (fun c ->
                            task {
                                let! o = observe c [ a1; b1; b2; c1 ]
                                Expect.equal
                                    (o.Jobs |> List.map (snd >> Option.isSome))
                                    [ true; true; true; false ]
                                    "exactly the acknowledged jobs after a restart"
                                do! call c $"result {a1} 0\r\n" (resultOf a1 true "r1")
                                Expect.equal (value (jobOf o b1) "payload-size") (string big.Length) "the big job's payload"
                            })
                }))

        logTest "a batch refused part-way through new segments leaves none of its records" (fun mount ->
            onTmpfs mount (fun dir ->
                task {
                    let tiny = [ "-cmdlog-seg-size"; "15" ]
                    let first, after = newId (), newId ()
                    let batch = [ for _ in 1..3 -> newId () ]
                    let refused = "-SERVER-ERROR Command log write failed: "
                    let mutable filler = ""
                    let! acknowledged =
                        withClient dir tiny (fun c ->
                            task {
                                do! call c (addReq first "q" 60000 hour "first" []) ok
                                // Three free pages. A record of the batch takes two pages, so the
                                // first goes into the current segment, the second into a new one,
                                // and the third finds no room for a segment or in that one.
                                let spare = Path.Combine(mount, "spare")
                                File.WriteAllBytes(spare, Array.zeroCreate 12288)
                                filler <- fillDisk mount
                                File.Delete spare
                                do! send c (batch |> List.map (fun id -> addReq id "q" 60000 hour (String('x', 5000)) []) |> String.concat "")
                                let acked = ResizeArray()
                                for id in batch do
                                    let! reply = readLine c
                                    if reply + "\r\n" = ok then acked.Add id
                                    else Expect.stringStarts (reply + "\r\n") refused "an add that did not fit"
                                Expect.isLessThan acked.Count batch.Length "the batch did not fit"
                                return List.ofSeq acked
                            })
                    // Stopped right after the refusal: what the log holds now is what a restart replays.
                    File.Delete filler
                    do!
                        withClient dir tiny (fun c ->
                            task {
                                let! jobs = inspectJobs c (first :: batch)
                                let present = jobs |> List.filter (snd >> Option.isSome) |> List.map fst
                                Expect.equal (Set.ofList present) (Set.ofList (first :: acknowledged)) "exactly the acknowledged jobs after a restart"
                                do! call c (addReq after "q" 60000 hour "after" []) ok
                            })
                    let counts = recordsPerSegment dir
                    Expect.all counts (fun n -> n <= 1) $"records per segment: %A{counts}"
                    Expect.equal (Array.sum counts) (2 + acknowledged.Length) "the acknowledged adds, and no other record"
                }))

        logTest "a full disk when compaction is due does not stop the server" (fun mount ->
            onTmpfs mount (fun dir ->
                task {
                    let a1, b1 = newId (), newId ()
                    do!
                        withClient dir [ "--cmdlog-clean-int"; "1000" ] (fun c ->
                            task {
                                // Something to compact, then no room for a new segment.
                                do! call c (addReq a1 "q" 60000 hour "a1" []) ok
                                let filler = fillDisk mount
                                do! Task.Delay 1500
                                // This request's batch finds compaction due; later ones must still be served.
                                let! _ = serverStat c "evicted-jobs"
                                do! Task.Delay 200
                                let! a = tryInspectJob c a1
                                Expect.isSome a "the job is still there"
                                File.Delete filler
                                do! call c (addReq b1 "q" 60000 hour "b1" []) ok
                                // With room again, a later interval compacts.
                                do!
                                    eventually 15000 "a snapshot once there is room" (fun () ->
                                        task {
                                            let! _ = serverStat c "evicted-jobs"
                                            return not (Array.isEmpty (snapshots dir))
                                        })
                            })
                    do!
                        withClient dir [] (fun c ->
                            task {
                                let! jobs = inspectJobs c [ a1; b1 ]
                                Expect.equal (jobs |> List.map (snd >> Option.isSome)) [ true; true ] "jobs after a restart"
                            })
                }))

        logTest "a compaction on a full disk writes its snapshot into the reserve, and leaves no temporary file" (fun mount ->
            onTmpfs mount (fun dir ->
                task {
                    let a1, b1, c1 = newId (), newId (), newId ()
                    do! withClient dir [] (fun c -> task { do! call c (addReq a1 "q" 60000 hour (String('s', 200_000)) []) ok })
                    Expect.isTrue (File.Exists(Path.Combine(dir, "reserve"))) "the reserve"
                    // No room at all: only the reserve, which a 200 KB snapshot needs.
                    let filler = fillDisk mount
                    do!
                        withClient dir [ "--cmdlog-clean-int"; "200" ] (fun c ->
                            task {
                                // What the reserve holds beyond a snapshot's need takes a small add.
                                do! call c (addReq b1 "q" 60000 hour "b1" []) ok
                                do!
                                    eventually 15000 "a snapshot on the full disk" (fun () ->
                                        task {
                                            let! _ = serverStat c "evicted-jobs"
                                            return not (Array.isEmpty (snapshots dir)) && (segments dir).Length = 1
                                        })
                                Expect.isEmpty (Directory.GetFiles(dir, "*.tmp")) "temporary snapshot files left behind"
                                // The old segment's room is free again: adds go in.
                                do! call c (addReq c1 "q" 60000 hour "c1" []) ok
                            })
                    File.Delete filler
                    do!
                        withClient dir [] (fun c ->
                            task {
                                let! jobs = inspectJobs c [ a1; b1; c1 ]
                                Expect.equal (jobs |> List.map (snd >> Option.isSome)) [ true; true; true ] "jobs after a restart"
                            })
                }))

        logTest "a disk filled with history recovers within a compaction interval; a restart on it starts" (fun mount ->
            onTmpfs mount (fun dir ->
                task {
                    let kept = newId ()
                    let args = [ "--cmdlog-clean-int"; "3000" ]
                    let payload = String('h', 8000)
                    let refused = "-SERVER-ERROR Command log write failed: No space left on device"
                    // Jobs added and deleted until the log's history fills the disk.
                    let fill (c: Client) =
                        task {
                            let mutable full = false
                            let mutable n = 0
                            while not full do
                                let id = newId ()
                                do! send c (addReq id "h" 60000 hour payload [])
                                match! readLine c with
                                | "+OK" -> do! call c $"delete {id}\r\n" ok
                                | reply ->
                                    Expect.equal reply refused "an add on a disk full of history (no path shown)"
                                    full <- true
                                n <- n + 1
                                if n > 1000 then failtest "the disk never filled"
                        }
                    do!
                        withClient dir args (fun c ->
                            task {
                                do! call c (addReq kept "q" 60000 hour "kept" []) ok
                                do! fill c
                                // A compaction makes room: adds go in again, within the interval.
                                do!
                                    eventually 10_000 "an add that goes in again" (fun () ->
                                        task {
                                            do! send c (addReq (newId ()) "h" 60000 hour payload [])
                                            let! reply = readLine c
                                            return reply = "+OK"
                                        })
                                do! fill c
                            })
                    // Stopped on a full disk, with the empty segment a failed rotation once left
                    // behind: the server starts, says so, and serves.
                    let last = (segments dir).Length
                    let filler = fillDisk mount
                    File.WriteAllBytes(Path.Combine(dir, sprintf "%020d.wql" (last + 1)), [||])
                    do!
                        withProcess [ "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir ] (fun sp ->
                            task {
                                let! ep = endPointOf sp
                                use! c = connect ep
                                let! job = tryInspectJob c kept
                                Expect.isSome job "the job kept through it all"
                                File.Delete filler
                                do! call c (addReq (newId ()) "q" 60000 hour "after" []) ok
                                Expect.isFalse (sp.Text.Contains "Unhandled exception") $"no crash:\n{sp.Text}"
                            })
                }))

        logTest "start-up on a disk with no room says so, serves reads and takes changes once there is room" (fun mount ->
            onTmpfs mount (fun dir ->
                task {
                    let a1 = newId ()
                    do! withClient dir [] (fun c -> task { do! call c (addReq a1 "q" 60000 hour "a1" []) ok })
                    // Not even the reserve is left: it is what a full disk takes first.
                    File.Delete(Path.Combine(dir, "reserve"))
                    let filler = fillDisk mount
                    do!
                        withProcess [ "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir ] (fun sp ->
                            task {
                                let! ep = endPointOf sp
                                use! c = connect ep
                                do! send c (addReq (newId ()) "q" 60000 hour "b" [])
                                let! reply = readLine c
                                Expect.equal reply "-SERVER-ERROR Command log write failed: No space left on device" "an add"
                                let! job = tryInspectJob c a1
                                Expect.isSome job "reads go on"
                                Expect.stringContains sp.Text "refuses changes until there is room" "the warning at start-up"
                                File.Delete filler
                                do! call c (addReq (newId ()) "q" 60000 hour "b" []) ok
                            })
                }))
    ]

/// Producers and workers hammer a server process that is killed at a random moment;
/// after a restart every acknowledged add and complete must be there.
let private crashTest (sync: string) (extra: string list) =
    let also = if extra.IsEmpty then "" else ", " + String.Join(" ", extra)
    logTest $"acknowledged changes survive a SIGKILL (sync {sync}{also})" (fun dir ->
        task {
            let added = ConcurrentQueue<string>()
            let completed = ConcurrentDictionary<string, string>()
            let killed = new CancellationTokenSource()
            // After the kill, a broken connection is expected; before it, any error fails the test.
            let untilKilled (loop: unit -> Task) =
                task {
                    try
                        while true do
                            do! loop ()
                    with _ when killed.IsCancellationRequested ->
                        ()
                }
                :> Task
            let producer (c: Client) () =
                task {
                    let id = newId ()
                    do! send c (addReq id "crash" 60000 hour ("p-" + id) [])
                    let! reply = readLine c
                    if reply = "+OK" then added.Enqueue id
                    else failtestf "add answered \"%s\"" (show reply)
                }
                :> Task
            let worker (c: Client) () =
                task {
                    do! send c "lease crash 200\r\n"
                    match! readLine c with
                    | "-TIMEOUT" -> ()
                    | "+OK 1" ->
                        let! header = readLine c
                        let fields = header.Split ' '
                        let! _ = readExactly c (int fields[3] + 2)
                        let id = fields[0]
                        do! send c (completeReq id ("r-" + id))
                        let! reply = readLine c
                        if reply = "+OK" then completed[id] <- "r-" + id
                        else failtestf "complete answered \"%s\"" (show reply)
                    | other -> failtestf "lease answered \"%s\"" (show other)
                }
                :> Task
            do!
                withProcess ([ "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir; "--cmdlog-sync"; sync ] @ extra) (fun sp ->
                    task {
                        let! ep = endPointOf sp
                        use! clients = connectMany ep 6
                        let loops =
                            clients.All
                            |> Array.mapi (fun i c -> untilKilled (if i < 4 then producer c else worker c))
                        // Killed at a random moment once the load is under way: how soon that is
                        // depends on how loaded the machine is, not on the server.
                        do!
                            eventually 60000 "adds and completes acknowledged before the kill" (fun () ->
                                Task.FromResult(added.Count >= 20 && completed.Count >= 5))
                        do! Task.Delay(Random.Shared.Next(0, 1000))
                        killed.Cancel()
                        do! kill sp
                        do! Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds 20.0)
                    })
            Expect.isGreaterThan added.Count 0 "adds acknowledged before the kill"
            Expect.isGreaterThan completed.Count 0 "completes acknowledged before the kill"
            do!
                withClient dir [] (fun c ->
                    task {
                        let! jobs = inspectJobs c added
                        let lost = jobs |> List.filter (snd >> Option.isNone) |> List.map fst
                        Expect.isEmpty lost $"acknowledged adds lost ({lost.Length} of {added.Count})"
                        let! finished = inspectJobs c completed.Keys
                        for id, r in finished do
                            Expect.equal (r |> Option.map (fun r -> value r "state")) (Some "1") $"state of completed job {id}"
                        // Results, pipelined.
                        let ids = List.ofSeq completed.Keys
                        for chunk in List.chunkBySize 200 ids do
                            do! send c (chunk |> List.map (fun id -> $"result {id} 0\r\n") |> String.concat "")
                            for id in chunk do
                                do! expect c (resultOf id true completed[id])
                    })
        })

let private crashTests =
    testList "crash" [
        crashTest "always" []
        // The kill may also land in a rotation or a compaction.
        crashTest "interval" [ "--cmdlog-seg-size"; "1048576"; "--cmdlog-clean-int"; "100" ]
    ]

[<Tests>]
let tests =
    testList "command log" [ restartTests; lockTests; damageTests; compactionTests; segmentSizeTests; diskFullTests; crashTests ]
