/// A log directory written by the original Workq 0.2.0, imported by the real host at
/// start-up: the jobs over TCP, the files moved aside, damage, foreign files, crashes in
/// the middle of an import and a running original server.
module Workq.Tests.OriginalImportTests

open System
open System.IO
open System.Security.Cryptography
open System.Threading.Tasks
open Expecto
open Workq.Host.CommandLog
open Workq.Tests.TcpTestClient
open Workq.Tests.IntegrationTests
open Workq.Tests.CommandLogTests
open Workq.Tests.ServerProcess
open Workq.Tests.OriginalLog

let private folder dir = Path.Combine(dir, "original-log")

/// Every file under `dir` (relative path, SHA-256) but our lock, which the server creates
/// before it looks at anything.
let private fingerprint (dir: string) =
    Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
    |> Array.map (fun f -> Path.GetRelativePath(dir, f), Convert.ToHexString(SHA256.HashData(File.ReadAllBytes f)))
    |> Array.filter (fun (name, _) -> name <> "lock")
    |> Array.sort

let private refusal (dir: string) (extra: string list) : Task<CommandLogException> =
    task {
        try
            let! server = startOn dir extra
            do! stop server
            return failtest "the server started"
        with :? CommandLogException as e ->
            return e
    }

/// The jobs of a log the original wrote under load, timed around `now`; what our server
/// must show of each, the original's view minus its TTL renewal.
type private Scenario =
    { Ready: Guid list
      Sched2: Guid
      Later: Guid
      Held: Guid
      Requeued: Guid
      LeaseRanOut: Guid
      Exhausted: Guid
      Completed: Guid
      Failed: Guid
      Gone: (Guid * string) list
      Prio: Guid list
      /// File name and bytes of each file written.
      Files: (string * byte[]) list }

/// Writes the scenario into `dir`: three segments numbered 1, 2 and 4 (the original's
/// cleaner leaves gaps), a cleaner's `.rw` left by a crash and the two lock files.
let private writeScenario (dir: string) =
    let now = DateTime.UtcNow
    let ago (minutes: float) = now.AddMinutes(-minutes)
    let g () = Guid.NewGuid()
    let ready1, ready2, ready3, sched2, later = g (), g (), g (), g (), g ()
    let held, requeued, leaseRanOut, exhausted = g (), g (), g (), g ()
    let completed, failed, deleted, expired, renewed, stale, run = g (), g (), g (), g (), g (), g (), g ()
    let prio = [ g (); g (); g () ]
    let two = 7_200_000UL
    let minute = 60_000UL
    let work g created = { job g "work" created with Ttl = two }
    let first =
        [ ago 50.0, Add(work ready1 (ago 50.0))
          ago 50.0, Add { job renewed "gone" (ago 50.0) with Ttl = 20UL * minute }
          ago 49.0, Add { work ready2 (ago 49.0) with Priority = 10L }
          ago 48.0, Add(work ready3 (ago 48.0))
          ago 47.0, Schedule { job later "later" (ago 47.0) with Ttl = two; Time = Some(now.AddHours 1.0) }
          ago 46.0, Schedule { work sched2 (ago 46.0) with Time = Some(ago 40.0) }
          ago 45.0, Add { job expired "gone" (ago 45.0) with Ttl = 10UL * minute }
          ago 44.0, Add { job held "held" (ago 44.0) with Ttr = 3_600_000UL; Ttl = two; Payload = "held" }
          ago 43.0, Add { job requeued "retry" (ago 43.0) with Ttr = minute; Ttl = two }
          ago 42.0, Add { job leaseRanOut "retry" (ago 42.0) with Ttr = minute; Ttl = two }
          ago 41.0, Add { job exhausted "once" (ago 41.0) with Ttr = minute; Ttl = two; MaxAttempts = 1UL } ]
    let second =
        [ ago 40.0, Add { job stale "gone" (ago 40.0) with Ttl = 30UL * minute }
          ago 39.0, Add { job completed "done" (ago 39.0) with Ttl = two }
          ago 38.0, Add { job failed "done" (ago 38.0) with Ttl = two; MaxFails = 3UL }
          ago 37.0, Add(job deleted "gone" (ago 37.0))
          ago 36.0, StartAttempt completed
          ago 36.0, StartAttempt failed
          ago 35.0, Complete(completed, "all done")
          ago 35.0, Fail(failed, "boom")
          ago 35.0, Expire expired
          ago 34.0, Delete deleted
          // A run job: its lease and its end, never the job itself.
          ago 33.0, StartAttempt run
          ago 33.0, Expire run
          ago 30.0, StartAttempt requeued
          ago 30.0, StartAttempt exhausted
          ago 29.0, TimeoutAttempt requeued
          ago 29.0, TimeoutAttempt exhausted ]
    let third =
        [ // After a restart the original had renewed this TTL, which ran out 30 minutes ago.
          ago 25.0, StartAttempt renewed
          ago 24.0, Complete(renewed, "too late")
          ago 20.0, StartAttempt leaseRanOut
          ago 10.0, StartAttempt held ]
        @ (prio |> List.mapi (fun i p -> ago 5.0, Add { job p "prio" (ago 5.0) with Ttl = two; Priority = [ -2L; 7L; 0L ][i] }))
    let s1, s2, s4 = segment first, segment second, segment third
    let files =
        [ segmentName 1, s1
          segmentName 2, s2
          segmentName 4, s4
          // A cleaner's rewrite of segment 2 that a crash cut short.
          segmentName 2 + ".rw", s2.[.. s2.Length / 2]
          "append.lock", [||]
          "read.lock", [||] ]
    for name, bytes in files do
        File.WriteAllBytes(Path.Combine(dir, name), bytes)
    { Ready = [ ready2; ready1; ready3 ]; Sched2 = sched2; Later = later; Held = held; Requeued = requeued
      LeaseRanOut = leaseRanOut; Exhausted = exhausted; Completed = completed; Failed = failed
      Gone = [ deleted, "deleted"; expired, "expired"; renewed, "renewed by the original"; stale, "stale"; run, "run" ]
      Prio = [ prio[1]; prio[2]; prio[0] ]; Files = files }

let private expectJob (c: Client) (g: Guid) (name: string) (state: int) (attempts: int) (fails: int) what =
    task {
        match! tryInspectJob c (string g) with
        | Some r ->
            Expect.equal (value r "name", value r "state", value r "attempts", value r "fails")
                (name, string state, string attempts, string fails) $"name, state, attempts and fails of the {what} job"
        | None -> failtestf "the %s job %O is missing" what g
    }

/// Leases from `name` until it is empty; returns the ids in lease order.
let private leaseAll (c: Client) name =
    task {
        let leasedIds = ResizeArray()
        let mutable more = true
        while more do
            do! send c $"lease {name} 0\r\n"
            match! readLine c with
            | "-TIMEOUT" -> more <- false
            | "+OK 1" ->
                let! header = readLine c
                let fields = header.Split ' '
                let! _ = readExactly c (int fields[3] + 2)
                leasedIds.Add(Guid fields[0])
            | other -> failtestf "lease %s answered \"%s\"" name (show other)
        return List.ofSeq leasedIds
    }

/// Everything a client can tell of the scenario's jobs, as the original would have them.
let private expectScenario (c: Client) (s: Scenario) =
    task {
        for g in s.Ready @ [ s.Sched2 ] do
            do! expectJob c g "work" 0 0 0 "ready"
        do! expectJob c s.Later "later" 0 0 0 "scheduled"
        let! scheduled = inspect c "scheduled-jobs later 0 10"
        Expect.equal (scheduled |> List.map _.Label) [ string s.Later ] "the scheduled job waits for its time"
        do! expectJob c s.Held "held" 4 1 0 "leased"
        do! expectJob c s.Requeued "retry" 3 1 0 "timed out"
        do! expectJob c s.LeaseRanOut "retry" 3 1 0 "whose lease ran out while the original was down"
        do! expectJob c s.Exhausted "once" 2 1 0 "timed out on its last attempt"
        do! expectJob c s.Completed "done" 1 1 0 "completed"
        do! expectJob c s.Failed "done" 2 1 1 "failed"
        do! call c $"result {s.Completed} 0\r\n" (resultOf s.Completed true "all done")
        do! call c $"result {s.Failed} 0\r\n" (resultOf s.Failed false "boom")
        do! call c $"result {s.Exhausted} 0\r\n" (resultOf s.Exhausted false "")
        for g, what in s.Gone do
            let! r = tryInspectJob c (string g)
            Expect.isNone r $"the {what} job is gone"
            do! call c $"result {g} 0\r\n" notFound
        let! evicted = serverStat c "evicted-jobs"
        Expect.equal evicted "3" "evicted: expired, stale and the one the original renewed"
    }

/// What leasing and completing do with the imported jobs.
let private workScenario (c: Client) (s: Scenario) =
    task {
        let! work = leaseAll c "work"
        Expect.equal work (s.Ready @ [ s.Sched2 ]) "lease order: priority, then age (a schedule from its time)"
        let! retry = leaseAll c "retry"
        Expect.equal retry [ s.Requeued; s.LeaseRanOut ] "requeued jobs in their places"
        let! prio = leaseAll c "prio"
        Expect.equal prio s.Prio "lease order of priorities 7, 0, -2"
        do! call c "lease held 0\r\n" timeout
        do! call c (completeReq s.Held "finished here") ok
        do! call c $"result {s.Held} 0\r\n" (resultOf s.Held true "finished here")
    }

let private importTests =
    testList "import" [
        logTest "a log written under load: every live job, state and result over TCP, the files moved aside" (fun dir ->
            task {
                let s = writeScenario dir
                do!
                    withClient dir [] (fun c ->
                        task {
                            do! expectScenario c s
                            do! workScenario c s
                        })
                for name, bytes in s.Files do
                    Expect.isFalse (File.Exists(Path.Combine(dir, name))) $"{name} moved away"
                    Expect.equal (File.ReadAllBytes(Path.Combine(folder dir, name))) bytes $"{name} kept whole in original-log/"
                Expect.isTrue (File.Exists(Path.Combine(dir, "snapshot-00000000000000000001.wqs"))) "our snapshot"
                Expect.isTrue (File.Exists(Path.Combine(dir, "00000000000000000001.wql"))) "our first segment"
            })

        logTest "a second start loads our snapshot and the changes since, and imports nothing again" (fun dir ->
            task {
                let s = writeScenario dir
                let added = newId ()
                do!
                    withClient dir [] (fun c ->
                        task {
                            do! call c (completeReq s.Held "after the import") ok
                            do! call c (addReq added "new" 60000 3_600_000 "new" []) ok
                        })
                let moved = fingerprint (folder dir)
                let snapshot = File.ReadAllBytes(Path.Combine(dir, "snapshot-00000000000000000001.wqs"))
                do!
                    withClient dir [] (fun c ->
                        task {
                            do! call c $"result {s.Held} 0\r\n" (resultOf s.Held true "after the import")
                            let! r = tryInspectJob c added
                            Expect.isSome r "the job added after the import"
                            do! expectJob c s.Completed "done" 1 1 0 "completed"
                            let! work = leaseAll c "work"
                            Expect.equal work (s.Ready @ [ s.Sched2 ]) "the imported ready jobs, once"
                        })
                Expect.equal (fingerprint (folder dir)) moved "original-log/ untouched"
                Expect.equal (File.ReadAllBytes(Path.Combine(dir, "snapshot-00000000000000000001.wqs"))) snapshot "the import's snapshot untouched"
            })

        logTest "a torn last record is left out; the file is kept whole" (fun dir ->
            task {
                let a, b = Guid.NewGuid(), Guid.NewGuid()
                let now = DateTime.UtcNow
                let whole = segment [ now.AddMinutes -2.0, Add(job a "q" (now.AddMinutes -2.0)); now.AddMinutes -1.0, Add(job b "q" (now.AddMinutes -1.0)) ]
                let torn = whole.[.. whole.Length - 6]
                writeSegment dir 1 torn
                do!
                    withClient dir [] (fun c ->
                        task {
                            do! expectJob c a "q" 0 0 0 "whole"
                            let! r = tryInspectJob c (string b)
                            Expect.isNone r "the job of the torn record"
                        })
                Expect.equal (File.ReadAllBytes(Path.Combine(folder dir, segmentName 1))) torn "kept as it was"
            })

        logTest "a flipped byte in the middle stops start-up naming file and offset; --cmdlog-repair imports what comes before" (fun dir ->
            task {
                let a, b, c = Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()
                let now = DateTime.UtcNow
                let records = [ for g in [ a; b; c ] -> record now (Add(job g "q" now)) ]
                let bytes = segmentOf records
                let damagedAt = (recordOffsets records).[1]
                bytes.[damagedAt + 20] <- bytes.[damagedAt + 20] ^^^ 0xFFuy
                writeSegment dir 1 bytes
                let d = Guid.NewGuid()
                writeSegment dir 2 (segment [ now, Add(job d "q" now) ])
                let before = fingerprint dir
                let! e = refusal dir []
                Expect.stringContains e.Message (Path.Combine(dir, segmentName 1)) "names the file"
                Expect.stringContains e.Message $"at offset {damagedAt}" "names the offset"
                Expect.equal (fingerprint dir) before "nothing changed"
                do!
                    withClient dir [ "--cmdlog-repair" ] (fun cl ->
                        task {
                            do! expectJob cl a "q" 0 0 0 "before the damage"
                            for g in [ b; c; d ] do
                                let! r = tryInspectJob cl (string g)
                                Expect.isNone r "a job at or after the damage"
                        })
                Expect.equal (File.ReadAllBytes(Path.Combine(folder dir, segmentName 1))) bytes "the damaged file kept whole"
                Expect.isTrue (File.Exists(Path.Combine(folder dir, segmentName 2))) "the file after it kept"
            })

        logTest "a file that is neither ours nor the original's is refused, naming it" (fun dir ->
            task {
                writeSegment dir 1 (segment [ DateTime.UtcNow, Add(job (Guid.NewGuid()) "q" DateTime.UtcNow) ])
                for name in [ "notes.txt"; "12.log"; "0000000001.log" ] do
                    File.WriteAllText(Path.Combine(dir, name), "x")
                Directory.CreateDirectory(Path.Combine(dir, "old")) |> ignore
                let before = fingerprint dir
                let! e = refusal dir []
                Expect.stringContains e.Message "0000000001.log, 12.log, notes.txt, old/" "names them all"
                Expect.equal (fingerprint dir) before "nothing changed"
                // The same in a directory of ours.
                for name in [ "notes.txt"; "12.log"; "0000000001.log"; segmentName 1 ] do
                    File.Delete(Path.Combine(dir, name))
                Directory.Delete(Path.Combine(dir, "old"))
                // A request answered: the engine runs, so stopping it releases the directory.
                let! _ = withClient dir [] (fun c -> serverStat c "jobs")
                File.WriteAllText(Path.Combine(dir, "stray.tmp"), "x")
                let! e = refusal dir []
                Expect.stringContains e.Message "stray.tmp" "names a stray file beside our log"
            })

        logTest "a directory with our segments and the original's is refused" (fun dir ->
            task {
                do! withClient dir [] (fun c -> task { do! call c (addReq (newId ()) "q" 60000 60000 "x" []) ok })
                writeSegment dir 1 (segment [ DateTime.UtcNow, Delete(Guid.NewGuid()) ])
                let! e = refusal dir []
                Expect.stringContains e.Message "both this server's log and the original Workq's files (000000001.log)" "says why"
            })

        logTest "an import stopped before its snapshot was in place starts again" (fun dir ->
            task {
                let s = writeScenario dir
                File.WriteAllText(Path.Combine(dir, "snapshot-00000000000000000001.wqs.tmp"), "half a snapshot")
                do! withClient dir [] (fun c -> expectScenario c s)
                Expect.isFalse (File.Exists(Path.Combine(dir, "snapshot-00000000000000000001.wqs.tmp"))) "the half snapshot is gone"
            })

        logTest "an import stopped after its snapshot was in place is finished at the next start" (fun dir ->
            task {
                // A whole import in another directory gives the snapshot such a crash leaves.
                let model = newDir ()
                try
                    let s = writeScenario model
                    let! _ = withClient model [] (fun c -> serverStat c "jobs")
                    File.Copy(Path.Combine(model, "snapshot-00000000000000000001.wqs"), Path.Combine(dir, "snapshot-00000000000000000001.wqs"))
                    // Some of the original's files already moved, the others not yet.
                    Directory.CreateDirectory(folder dir) |> ignore
                    for name, bytes in s.Files do
                        let into = if name = segmentName 1 then folder dir else dir
                        File.WriteAllBytes(Path.Combine(into, name), bytes)
                    do! withClient dir [] (fun c -> expectScenario c s)
                    for name, bytes in s.Files do
                        Expect.equal (File.ReadAllBytes(Path.Combine(folder dir, name))) bytes $"{name} in original-log/"
                    Expect.equal (Directory.GetFiles(dir, "*.log*")) [||] "none of the original's files left beside ours"
                finally
                    Directory.Delete(model, true)
            })

        logTest "a running original server is not imported from under it" (fun dir ->
            task {
                let a = Guid.NewGuid()
                writeSegment dir 1 (segment [ DateTime.UtcNow, Add(job a "q" DateTime.UtcNow) ])
                let appendLock = Path.Combine(dir, "append.lock")
                do!
                    task {
                        // The original holds an exclusive flock on it for as long as it runs.
                        use _held = new FileStream(appendLock, FileMode.Create, FileAccess.ReadWrite, FileShare.None)
                        let! e = refusal dir []
                        Expect.stringContains e.Message "in use by an original Workq server" "says why"
                        Expect.isTrue (File.Exists(Path.Combine(dir, segmentName 1))) "nothing moved"
                    }
                do! withClient dir [] (fun c -> expectJob c a "q" 0 0 0 "imported once the original stopped")
            })

        logTest "the server process says what it imported, warns of a torn tail, and exits 2 on damage" (fun dir ->
            task {
                let now = DateTime.UtcNow
                let ids = [ for _ in 1..3 -> Guid.NewGuid() ]
                let records = [ for g in ids -> record now (Add(job g "q" now)) ]
                writeSegment dir 1 (segmentOf records.[0..1])
                let last = segmentOf records.[2..]
                writeSegment dir 2 last.[.. last.Length - 2]
                do!
                    withProcess [ "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir ] (fun sp ->
                        task {
                            let! _ = endPointOf sp
                            let lines = List.ofSeq sp.Output
                            let imported = lines |> List.tryFind (fun l -> l.Contains "Imported the original Workq's command log")
                            Expect.isSome imported $"the import is logged; output:\n{sp.Text}"
                            Expect.stringContains imported.Value "2 segments, 2 records" "files and records"
                            Expect.stringContains imported.Value "2 live jobs" "live jobs"
                            let torn = lines |> List.tryFind (fun l -> l.Contains "cut short")
                            Expect.isSome torn $"the torn tail is reported; output:\n{sp.Text}"
                            Expect.stringContains torn.Value " warn: " "as a warning"
                        })
                let damaged = newDir ()
                try
                    let bytes = segmentOf records
                    let at = (recordOffsets records).[1]
                    bytes.[at + 30] <- bytes.[at + 30] ^^^ 1uy
                    writeSegment damaged 1 bytes
                    do!
                        withProcess [ "--listen"; "127.0.0.1:0"; "--cmdlog-path"; damaged ] (fun sp ->
                            task {
                                do! sp.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds 30.0)
                                Expect.equal sp.Process.ExitCode 2 $"exit code; output:\n{sp.Text}"
                                sp.Process.WaitForExit()
                                Expect.stringContains sp.Text $"{Path.Combine(damaged, segmentName 1)} at offset {at}" "file and offset"
                            })
                finally
                    Directory.Delete(damaged, true)
            })
    ]

[<Tests>]
let tests = testList "original log import" [ importTests ]
