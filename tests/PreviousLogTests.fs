/// A log directory written by an earlier server (`fixtures/cmdlog-previous`, whose
/// README gives the session that wrote it) still loads into the same jobs and queues.
/// Loaded by the host's loader at an explicit instant: replay only, no timer fires.
module Workq.Tests.PreviousLogTests

open System
open System.Globalization
open System.IO
open Expecto
open Microsoft.Extensions.Logging.Abstractions
open Workq.Domain
open Workq.Host.CommandLog

let private fixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "cmdlog-previous")

/// The loader may cut or delete files; it gets a copy, never the fixture.
let private copyOfFixture () =
    let dir = Path.Combine(Path.GetTempPath(), "workq-previous-" + Guid.NewGuid().ToString "N")
    Directory.CreateDirectory dir |> ignore
    for file in Directory.GetFiles fixture do
        let fileName = nonNull (Path.GetFileName file)
        if fileName <> "README.md" then
            File.Copy(file, Path.Combine(dir, fileName))
    dir

let private load (dir: string) (now: Instant) =
    let settings =
        CommandLogSettings(dir, SyncPolicy.Always, TimeSpan.FromSeconds 1.0, 64L * 1024L * 1024L, TimeSpan.FromMinutes 5.0, false)
    LogLoader(settings, NullLogger.Instance).Load(int64 now)

let private at (text: string) : Instant =
    Time.ofDateTime (DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal))

let private id n = JobId.tryParse (sprintf "11111111-2222-4333-8444-%012d" n) |> Option.get
let private name s = JobName.tryCreate s |> Option.get
let private bytes (s: string) = Text.Encoding.ASCII.GetBytes s
let private ttr = Ttr.tryCreate 60_000L<ms> |> Option.get
let private ttl = Ttl.tryCreate 2_592_000_000L<ms> |> Option.get
let private limit n = Limit.tryCreate n |> Option.get

/// A job of the session as it was added: background, 60 s TTR, 30-day TTL, no flags.
let private job n queue payload created seq =
    { Id = id n
      Name = name queue
      Ttr = ttr
      Priority = 0
      MaxAttempts = Limit.zero
      MaxFails = Limit.zero
      Payload = bytes payload
      Created = at created
      Origin = Background ttl
      Seq = seq
      Attempts = 0
      Fails = 0
      Status = Ready }

let private finished success result = Finished { Success = success; Data = bytes result }

/// Every job the session leaves, with every field, as the README's table gives them.
let private expected =
    [ { job 1 "mail" "hello-1" "2026-12-07T00:25:39.084Z" 0L with
          Attempts = 1
          Status = finished true "done-1" }
      { job 2 "mail" "hello-2" "2026-12-07T00:25:39.233Z" 1L with
          Priority = 5
          Attempts = 1
          Status = finished true "done-2" }
      { job 3 "mail" "retry-me" "2026-12-07T00:25:39.237Z" 2L with
          MaxAttempts = limit 3
          MaxFails = limit 2
          Attempts = 2
          Fails = 1
          // Its second lease, at 00:25:44.325, plus its TTR.
          Status = Leased(at "2026-12-07T00:26:44.325Z") }
      { job 4 "report" "fail-me" "2026-12-07T00:25:39.237Z" 3L with
          Priority = -3
          MaxFails = limit 1
          Attempts = 1
          Fails = 1
          Status = finished false "fatal" }
      { job 5 "report" "later" "2026-12-07T00:25:39.249Z" 4L with
          Origin = Scheduled(ttl, at "2099-06-01T12:00:00Z")
          Status = Waiting }
      // Job 6, arrival 5, was deleted.
      { job 7 "report" "last" "2026-12-07T00:25:44.325Z" 6L with
          Priority = 2
          MaxAttempts = limit 2
          MaxFails = limit 3 } ]

let private ids (keys: seq<'k>) (idOf: 'k -> JobId) = keys |> Seq.map idOf |> List.ofSeq

[<Tests>]
let tests =
    testCase "a log directory written by an earlier server loads into the same jobs and queues" <| fun () ->
        let dir = copyOfFixture ()
        try
            let now = at "2026-12-08T00:00:00Z"
            let loaded = load dir now
            let state = loaded.State

            Expect.equal loaded.Events 8 "the segment's events, replayed after the snapshot"
            Expect.equal loaded.Segment 2L "writing goes on in the segment after the snapshot"
            Expect.equal loaded.SegmentLength (FileInfo(Path.Combine(dir, "00000000000000000002.wql")).Length) "the whole segment kept"
            Expect.equal state.Started now "started at the instant of loading"

            let jobs = SortedTree.toSeq state.Jobs |> Seq.map _.Value |> List.ofSeq
            Expect.equal (jobs |> List.map _.Id) (expected |> List.map _.Id) "the jobs: all but the deleted one"
            for actual, wanted in List.zip jobs expected do
                Expect.equal actual wanted $"job {wanted.Id}"

            Expect.equal (state.Queues.Keys |> List.ofSeq) [ name "mail"; name "report" ] "the queues"
            let mail = state.Queues[name "mail"]
            Expect.isTrue mail.Ready.IsEmpty "mail: nothing ready"
            Expect.isTrue mail.Scheduled.IsEmpty "mail: nothing scheduled"
            Expect.equal mail.Leased 1 "mail: job 3 leased"
            let report = state.Queues[name "report"]
            Expect.equal (ids (SortedKeys.toSeq report.Ready) _.Id) [ id 7 ] "report: job 7 ready"
            Expect.equal (ids (SortedKeys.toSeq report.Scheduled) _.Id) [ id 5 ] "report: job 5 scheduled"
            Expect.equal report.Leased 0 "report: nothing leased"
            Expect.isTrue (mail.Workers.IsEmpty && report.Workers.IsEmpty) "no workers: connections are not logged"

            // Each live job's TTL, job 5's wake-up and job 3's lease end: nothing has fired.
            Expect.equal (Timers.count state.Timers) 8 "timers"
            Expect.equal (State.nextDeadline state) (ValueSome(at "2026-12-07T00:26:44.325Z")) "the first timer: job 3's lease end"
            Expect.equal state.NextSeq 7L "the next arrival number"
            Expect.equal state.EvictedJobs 0L "nothing evicted"
        finally
            Directory.Delete(dir, true)
