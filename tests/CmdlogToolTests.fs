/// `workq-server cmdlog dump|replay|verify` over logs written by a real server in process.
module Workq.Tests.CmdlogToolTests

open System
open System.IO
open System.Security.Cryptography
open System.Threading.Tasks
open Expecto
open Workq.Host
open Workq.Host.CommandLog.Tools
open Workq.Tests.TcpTestClient

let private segment1 = "00000000000000000001.wql"

/// Every directory of this run under one root, removed when the test process ends.
let private root =
    let root = Path.Combine(Path.GetTempPath(), "workq-cmdlog-tests-" + Guid.NewGuid().ToString "N")
    AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
        try Directory.Delete(root, true) with :? IOException | :? UnauthorizedAccessException -> ())
    root

let private tempDir () =
    let dir = Path.Combine(root, Guid.NewGuid().ToString "N")
    Directory.CreateDirectory dir |> ignore
    dir

let private copyDir (from: string) =
    let dir = tempDir ()
    for file in Directory.GetFiles from do
        File.Copy(file, Path.Combine(dir, FileInfo(file).Name))
    dir

let private startServer (dir: string) (extra: string list) : Task<RunningServer> =
    ServerFixture.startServer (Array.append [| "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir |] (Array.ofList extra))

let private call (c: Client) (request: string) (reply: string) : Task =
    task {
        do! send c request
        do! expect c reply
    }

let private add id name (payload: string) =
    $"add {id} {name} 5000 60000 {payload.Length}\r\n{payload}\r\n"

let private timeText (t: DateTime) = t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'")

/// A log made once by a real server: job `a` added, leased and completed, job `b` added.
/// `BeforeB` falls between the two adds, `Between` between a's lease and its completion.
type private SampleLog = { Dir: string; A: string; B: string; BeforeB: string; Between: string }

let private sample =
    lazy
        (task {
            let dir = tempDir ()
            let a = Guid.NewGuid().ToString()
            let b = Guid.NewGuid().ToString()
            let! (server: RunningServer) = startServer dir []
            let pause () = Task.Delay 30
            use! c = connect server.EndPoint
            do! call c (add a "ping" "ping") "+OK\r\n"
            do! pause ()
            let beforeB = timeText DateTime.UtcNow
            do! pause ()
            do! call c (add b "other" "hi") "+OK\r\n"
            do! call c "lease ping 1000\r\n" $"+OK 1\r\n{a} ping 5000 4\r\nping\r\n"
            do! pause ()
            let between = timeText DateTime.UtcNow
            do! pause ()
            do! call c $"complete {a} 4\r\npong\r\n" "+OK\r\n"
            close c
            do! server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds 10.0)
            return { Dir = dir; A = a; B = b; BeforeB = beforeB; Between = between }
        })

/// Runs the tool; returns the exit code, stdout and stderr.
let private run (args: string list) =
    use out = new StringWriter()
    use err = new StringWriter()
    let code = CmdlogTool.Run(Array.ofList args, out, err)
    code, out.ToString(), err.ToString()

let private lines (text: string) =
    text.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> Array.map _.TrimEnd('\r') |> List.ofArray

let private words (line: string) = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)

let private containsLine (what: string) (needle: string) (text: string) =
    Expect.isTrue (lines text |> List.exists (fun l -> l.Contains needle)) $"{what}: no line with \"{needle}\" in:\n{text}"

let private flipByte (path: string) (offset: int) =
    let bytes = File.ReadAllBytes path
    bytes[offset] <- bytes[offset] ^^^ 0xFFuy
    File.WriteAllBytes(path, bytes)

let private fingerprint (dir: string) =
    Directory.GetFiles dir
    |> Array.sort
    |> Array.map (fun f -> FileInfo(f).Name, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes f)))

let private dumpTests =
    testList "dump" [
        testTask "shows every event with its file, in log order" {
            let! log = sample.Force()
            let code, out, _ = run [ "dump"; log.Dir ]
            Expect.equal code 0 "exit code"
            let shown = lines out
            Expect.equal shown.Head $"# {segment1}" "the file comes first"
            let events = shown.Tail |> List.map (fun l -> let w = words l in w[1], w[2])
            Expect.equal events [ "JobAdded", log.A; "JobAdded", log.B; "JobLeased", log.A; "JobCompleted", log.A ] "events"
            containsLine "a's add" "name=ping" out
            containsLine "a's result" "result=\"pong\"" out
        }

        testTask "--job keeps one job's events" {
            let! log = sample.Force()
            let code, out, _ = run [ "dump"; log.Dir; "--job"; log.B ]
            Expect.equal code 0 "exit code"
            let events = lines out |> List.filter (fun l -> not (l.StartsWith "#"))
            Expect.equal events.Length 1 "one event"
            Expect.stringContains events.Head $"JobAdded          {log.B}" "b's add"
        }

        testTask "--from and --until keep events in the window" {
            let! log = sample.Force()
            let events args =
                let code, out, _ = run ([ "dump"; log.Dir ] @ args)
                Expect.equal code 0 "exit code"
                lines out |> List.filter (fun l -> not (l.StartsWith "#")) |> List.map (fun l -> (words l)[1])
            Expect.equal (events [ "--until"; log.BeforeB ]) [ "JobAdded" ] "until"
            Expect.equal (events [ $"--from={log.BeforeB}"; "--until"; log.Between ]) [ "JobAdded"; "JobLeased" ] "window"
            Expect.equal (events [ "--from"; log.Between; "--job"; log.A ]) [ "JobCompleted" ] "from, one job"
        }
    ]

let private replayTests =
    testList "replay" [
        testTask "--until before and after a complete: leased, then completed" {
            let! log = sample.Force()
            let code, before, _ = run [ "replay"; log.Dir; "--until"; log.Between ]
            Expect.equal code 0 "exit code"
            containsLine "before" $"job {log.A} name=ping state=4 LEASED attempts=1 fails=0 priority=0" before
            containsLine "before" "queue ping ready-len=0 scheduled-len=0 leased-len=1" before
            let code, after, _ = run [ "replay"; log.Dir ]
            Expect.equal code 0 "exit code"
            containsLine "after" $"job {log.A} name=ping state=1 COMPLETED attempts=1 fails=0 priority=0" after
            containsLine "after" $"job {log.B} name=other state=0 NEW" after
            containsLine "after" "queue other ready-len=1 scheduled-len=0 leased-len=0" after
            containsLine "after" "server jobs=2 queues=1 evicted-jobs=0" after
        }

        testTask "--until before the second add leaves it out" {
            let! log = sample.Force()
            let _, out, _ = run [ "replay"; log.Dir; "--until"; log.BeforeB ]
            Expect.isFalse (out.Contains log.B) "b not yet added"
            containsLine "a" $"job {log.A} name=ping state=0 NEW" out
        }
    ]

let private verifyTests =
    testList "verify" [
        testTask "ok on a sound log" {
            let! log = sample.Force()
            let code, out, _ = run [ "verify"; log.Dir ]
            Expect.equal code 0 "exit code"
            Expect.equal (lines out) [ "ok: 4 events in 1 files" ] "verdict"
        }

        testTask "a flipped byte in the middle: the file and the record's offset, exit 1" {
            let! log = sample.Force()
            let dir = copyDir log.Dir
            // Inside the first record's body (after the 16-byte header and the 8-byte frame).
            flipByte (Path.Combine(dir, segment1)) 30
            let code, out, _ = run [ "verify"; dir ]
            Expect.equal code 1 "exit code"
            Expect.stringContains out $"{segment1} at offset 16" "file and offset"
            let code, _, err = run [ "dump"; dir ]
            Expect.equal code 1 "dump exit code"
            Expect.stringContains err $"{segment1} at offset 16" "dump names it too"
        }

        testTask "a torn tail is a problem for verify, a warning for dump and replay" {
            let! log = sample.Force()
            let dir = copyDir log.Dir
            let path = Path.Combine(dir, segment1)
            let length = FileInfo(path).Length
            using (new FileStream(path, FileMode.Open)) (fun f -> f.SetLength(length - 3L))
            let code, out, _ = run [ "verify"; dir ]
            Expect.equal code 1 "exit code"
            Expect.stringContains out "torn tail" "says torn tail"
            Expect.stringContains out "cut it off at startup" "says what the server does"
            let code, out, err = run [ "replay"; dir ]
            Expect.equal code 0 "replay exit code"
            Expect.stringContains err "torn tail" "replay warns"
            containsLine "without the complete" $"job {log.A} name=ping state=4 LEASED" out
        }

        testTask "a gap in segment numbers" {
            let! log = sample.Force()
            let dir = copyDir log.Dir
            File.Copy(Path.Combine(dir, segment1), Path.Combine(dir, "00000000000000000003.wql"))
            let code, out, _ = run [ "verify"; dir ]
            Expect.equal code 1 "exit code"
            Expect.stringContains out "00000000000000000002.wql" "names the missing segment"
        }
    ]

let private directoryTests =
    testList "directories" [
        testTask "the tools leave the directory byte for byte unchanged" {
            let! log = sample.Force()
            let before = fingerprint log.Dir
            for args in [ [ "dump"; log.Dir ]; [ "replay"; log.Dir ]; [ "verify"; log.Dir ] ] do
                run args |> ignore
            Expect.equal (fingerprint log.Dir) before "unchanged"
            Expect.equal (Directory.GetDirectories log.Dir) [||] "no new directories"
        }

        testTask "they read a live server's directory" {
            let dir = tempDir ()
            let! (server: RunningServer) = startServer dir []
            try
                let! (c: Client) = connect server.EndPoint
                let id = Guid.NewGuid().ToString()
                do! call c (add id "live" "x") "+OK\r\n"
                close c
                let code, out, _ = run [ "verify"; dir ]
                Expect.equal code 0 $"verify: {out}"
                let _, out, _ = run [ "dump"; dir ]
                Expect.stringContains out id "the add is there"
            finally
                server.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds 10.0) |> ignore
        }

        testTask "a snapshot's jobs come first, then the segments after it" {
            let dir = tempDir ()
            let! (server: RunningServer) = startServer dir [ "--cmdlog-clean-int"; "1" ]
            let ids = [ for _ in 1..3 -> Guid.NewGuid().ToString() ]
            let! c = connect server.EndPoint
            for id in ids do
                do! call c (add id "snap" "x") "+OK\r\n"
                do! Task.Delay 100
            close c
            do! server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds 10.0)
            Expect.isNonEmpty (Directory.GetFiles(dir, "snapshot-*.wqs")) "a snapshot was written"
            let code, out, _ = run [ "verify"; dir ]
            Expect.equal code 0 $"verify: {out}"
            let code, out, _ = run [ "dump"; dir ]
            Expect.equal code 0 "dump exit code"
            Expect.stringStarts out "# snapshot-" "the snapshot first"
            containsLine "snapshot line" $"snapshot {ids.Head} name=snap" out
            let code, out, _ = run [ "replay"; dir ]
            Expect.equal code 0 "replay exit code"
            for id in ids do
                containsLine "every job" $"job {id} name=snap state=0 NEW" out
        }
    ]

let private usageTests =
    testList "usage" [
        testTask "usage errors exit 2" {
            let! log = sample.Force()
            let cases =
                [ []
                  [ "frob"; log.Dir ]
                  [ "dump" ]
                  [ "verify"; Path.Combine(log.Dir, "nowhere") ]
                  [ "dump"; log.Dir; "--bogus"; "1" ]
                  [ "dump"; log.Dir; "--job" ]
                  [ "dump"; log.Dir; "--job"; "not-an-id" ]
                  [ "dump"; log.Dir; "--from"; "2026-02-30T00:00:00Z" ]
                  [ "replay"; log.Dir; "--job"; log.A ]
                  [ "verify"; log.Dir; "--until"; log.Between ]
                  [ "verify"; log.Dir; log.Dir ] ]
            for args in cases do
                let code, out, err = run args
                Expect.equal code 2 $"exit code of {args}"
                Expect.equal out "" $"nothing on stdout for {args}"
                Expect.stringContains err "usage: workq-server cmdlog" $"usage for {args}"
        }

        test "--help prints the usage of cmdlog and of each subcommand" {
            for args, usage in
                [ [ "--help" ], "cmdlog <subcommand>"
                  [ "dump"; "--help" ], "cmdlog dump DIR"
                  [ "replay"; "--help" ], "cmdlog replay DIR"
                  [ "verify"; "-h" ], "cmdlog verify DIR" ] do
                let code, out, _ = run args
                Expect.equal code 0 $"exit code of {args}"
                Expect.stringContains out usage $"usage for {args}"
        }
    ]

/// A directory the original Workq wrote: job `a` added, leased and completed, `b`
/// scheduled and failed, a run job's lease and end, in two segments.
type private OriginalSample = { Dir: string; A: Guid; B: Guid; Records: byte[] list; Second: byte[] }

let private original () =
    let dir = tempDir ()
    let a, b, run = Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()
    let t0 = DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc)
    let at (s: float) = t0.AddSeconds s
    let first =
        [ OriginalLog.record (at 0.0) (OriginalLog.Add { OriginalLog.job a "ping" (at 0.0) with Payload = "ping"; Priority = -2L })
          OriginalLog.record (at 1.0)
              (OriginalLog.Schedule { OriginalLog.job b "later" (at 1.0) with Time = Some(at 60.0); MaxFails = 3UL })
          OriginalLog.record (at 2.0) (OriginalLog.StartAttempt a) ]
    let second =
        [ OriginalLog.record (at 3.0) (OriginalLog.Complete(a, "pong"))
          OriginalLog.record (at 4.0) (OriginalLog.StartAttempt run)
          OriginalLog.record (at 5.0) (OriginalLog.Expire run)
          OriginalLog.record (at 70.0) (OriginalLog.Fail(b, "no")) ]
    OriginalLog.writeSegment dir 1 (OriginalLog.segmentOf first)
    let secondBytes = OriginalLog.segmentOf second
    OriginalLog.writeSegment dir 3 secondBytes
    { Dir = dir; A = a; B = b; Records = first @ second; Second = secondBytes }

let private originalTests =
    testList "an original Workq directory" [
        test "dump prints every record, with the original's names, under its file" {
            let log = original ()
            let code, out, _ = run [ "dump"; log.Dir ]
            Expect.equal code 0 "exit code"
            let shown = lines out
            Expect.equal (shown |> List.filter (fun l -> l.StartsWith "#")) [ "# 000000001.log"; "# 000000003.log" ] "files"
            let records = shown |> List.filter (fun l -> not (l.StartsWith "#")) |> List.map (fun l -> let w = words l in w[0], w[1])
            Expect.equal records
                [ "2026-03-01T12:00:00.000Z", "add"; "2026-03-01T12:00:01.000Z", "schedule"; "2026-03-01T12:00:02.000Z", "start-attempt"
                  "2026-03-01T12:00:03.000Z", "complete"; "2026-03-01T12:00:04.000Z", "start-attempt"; "2026-03-01T12:00:05.000Z", "expire"
                  "2026-03-01T12:01:10.000Z", "fail" ] "times and types"
            containsLine "a's add" $"add               {log.A} name=ping ttr=60000 ttl=3600000 priority=-2 max-attempts=0 max-fails=0 created=2026-03-01T12:00:00.000Z payload=\"ping\"" out
            containsLine "b's schedule" $"schedule          {log.B} name=later ttr=60000 ttl=3600000 priority=0 max-attempts=0 max-fails=3 time=2026-03-01T12:01:00.000Z" out
            containsLine "a's result" $"complete          {log.A} result=\"pong\"" out
            let _, out, _ = run [ "dump"; log.Dir; "--job"; string log.B; "--until"; "2026-03-01T12:00:30Z" ]
            Expect.equal (lines out |> List.filter (fun l -> not (l.StartsWith "#")) |> List.map (fun l -> (words l)[1])) [ "schedule" ] "filtered"
        }

        test "replay imports the records up to --until at that instant" {
            let log = original ()
            let code, out, _ = run [ "replay"; log.Dir; "--until"; "2026-03-01T12:00:30Z" ]
            Expect.equal code 0 "exit code"
            containsLine "header" "# imported 6 records of the original Workq from 2 files (2 changed nothing), as of 2026-03-01T12:00:30.000Z" out
            containsLine "a" $"job {log.A} name=ping state=1 COMPLETED attempts=1 fails=0 priority=-2" out
            containsLine "b" $"job {log.B} name=later state=0 NEW attempts=0 fails=0 priority=0" out
            containsLine "queue" "queue later ready-len=0 scheduled-len=1 leased-len=0" out
            let _, out, _ = run [ "replay"; log.Dir; "--until"; "2026-03-01T12:02:00Z" ]
            containsLine "b, failed for good" $"job {log.B} name=later state=2 FAILED attempts=0 fails=1 priority=0" out
        }

        test "verify checks every record; a flipped byte is damage at its record, a torn tail a problem" {
            let log = original ()
            let code, out, _ = run [ "verify"; log.Dir ]
            Expect.equal code 0 "exit code"
            Expect.equal (lines out) [ "ok: 7 records in 2 files of the original Workq's log, to import at start-up" ] "verdict"
            let second = Path.Combine(log.Dir, "000000003.log")
            let recordAt = 8 + log.Records[3].Length
            flipByte second (recordAt + 17)
            let code, out, _ = run [ "verify"; log.Dir ]
            Expect.equal code 1 "exit code"
            Expect.stringContains out $"000000003.log at offset {recordAt}: a damaged record" "file and offset"
            File.WriteAllBytes(second, log.Second.[.. log.Second.Length - 3])
            let code, out, _ = run [ "verify"; log.Dir ]
            Expect.equal code 1 "exit code"
            Expect.stringContains out "torn tail" "a torn tail"
            let code, out, err = run [ "replay"; log.Dir; "--until"; "2026-03-01T12:02:00Z" ]
            Expect.equal code 0 "replay exit code"
            Expect.stringContains err "leave it out of the import" "replay warns"
            containsLine "without the fail" $"job {log.B} name=later state=0 NEW" out
        }

        test "a file the server cannot read: verify refuses, dump warns; the directory stays as it was" {
            let log = original ()
            File.WriteAllText(Path.Combine(log.Dir, "notes.txt"), "x")
            let before = fingerprint log.Dir
            let code, out, _ = run [ "verify"; log.Dir ]
            Expect.equal code 1 "exit code"
            Expect.stringContains out "refused:" "refused"
            Expect.stringContains out "notes.txt" "names it"
            let code, out, err = run [ "dump"; log.Dir ]
            Expect.equal code 0 "dump exit code"
            Expect.stringContains err "notes.txt" "dump warns"
            Expect.stringContains out "complete" "and dumps"
            run [ "replay"; log.Dir ] |> ignore
            Expect.equal (fingerprint log.Dir) before "unchanged"
            Expect.equal (Directory.GetDirectories log.Dir) [||] "no original-log/"
        }
    ]

[<Tests>]
let tests =
    testList "cmdlog tools" [ dumpTests; replayTests; verifyTests; directoryTests; usageTests; originalTests ]
