/// The original Workq 0.2.0's command log in the core: the tests' writer against the
/// format description, the reader (records, damage and its offset), and the import's
/// semantics with simulated time.
module Workq.Tests.OriginalLogTests

open System
open Expecto
open Workq.Domain
open Workq.Domain.CommandLog
open Workq.Tests.OriginalLog

let private t0 = DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc)
let private at (minutes: float) = t0.AddMinutes minutes
let private instant (t: DateTime) = Time.ofDateTime t
let private idOf (g: Guid) = JobId.ofGuid g |> Option.get
let private hour = 3_600_000UL
let private minute = 60_000UL

let private read (bytes: byte[]) = OriginalSegment.read bytes bytes.Length

// ---------------------------------------------------------------------------
// The tests' writer, against the format description

let private writerTests =
    testList "the tests' writer" [
        test "CRC-32C gives the standard check value, as the server's does" {
            let check = Text.Encoding.ASCII.GetBytes "123456789"
            Expect.equal (crc32c check) 0xE3069283u "the writer's CRC-32C of 123456789"
            Expect.equal (Records.crc32c (ReadOnlySpan check)) 0xE3069283u "the server's CRC-32C of 123456789"
            let rnd = Random 7
            for n in [ 0; 1; 7; 8; 9; 100; 1000 ] do
                let bytes = Array.zeroCreate<byte> n
                rnd.NextBytes bytes
                Expect.equal (Records.crc32c (ReadOnlySpan bytes)) (crc32c bytes) $"both CRCs of {n} random bytes"
        }

        test "a time is a version byte, seconds since 0001-01-01, nanoseconds and FF FF" {
            // Unix time + 62,135,596,800 seconds; 1970-01-01 is 0xE7791F700.
            Expect.equal (goTime (DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)))
                [ 0x01uy; 0uy; 0uy; 0uy; 0x0Euy; 0x77uy; 0x91uy; 0xF7uy; 0x00uy; 0uy; 0uy; 0uy; 0uy; 0xFFuy; 0xFFuy ] "the Unix epoch"
            let t = DateTime(2026, 3, 1, 12, 0, 0, 250, DateTimeKind.Utc)
            let seconds = DateTimeOffset(t).ToUnixTimeSeconds() + 62_135_596_800L
            let expected =
                [ 0x01uy ] @ List.ofArray (BitConverter.GetBytes seconds |> Array.rev)
                @ List.ofArray (BitConverter.GetBytes 250_000_000 |> Array.rev) @ [ 0xFFuy; 0xFFuy ]
            Expect.equal (goTime t) expected "a time with milliseconds"
            Expect.equal (OriginalLog.zeroTime) ([ 0x01uy ] @ List.replicate 12 0uy @ [ 0xFFuy; 0xFFuy ]) "Go's zero time"
        }

        test "the verified example add record, byte for byte, and what the reader makes of it" {
            let g = Guid "6ba7b810-9dad-41d1-80b4-00c04fd430c4"
            let created = DateTime(2026, 3, 1, 11, 59, 59, 123, DateTimeKind.Utc)
            let j =
                { job g "ab" created with Ttr = 1000UL; Ttl = 60_000UL; Priority = -2L; MaxAttempts = 3UL; MaxFails = 1UL; Payload = "hi" }
            let body = payload (Add j)
            let expected =
                Array.concat [
                        [| 0x01uy |] // add
                        g.ToByteArray(bigEndian = true)
                        [| 0x02uy; 0x61uy; 0x62uy |] // "ab"
                        [| 0xe8uy; 0x07uy |] // TTR 1000
                        [| 0xe0uy; 0xd4uy; 0x03uy |] // TTL 60000
                        [| 0x03uy |] // priority -2
                        [| 0x03uy |] // max-attempts
                        [| 0x01uy |] // max-fails
                        [| 0x02uy; 0x68uy; 0x69uy |] // "hi"
                        Array.ofList ([ 0x01uy ] @ List.replicate 12 0uy @ [ 0xFFuy; 0xFFuy ])
                        Array.ofList (goTime created) ]
            Expect.equal body expected "the payload"
            Expect.equal body.Length 61 "61 payload bytes"
            let appended = at 0.0
            let bytes = record appended (Add j)
            Expect.equal bytes.[0..14] (Array.ofList (goTime appended)) "TIME"
            Expect.equal bytes.[15] 0x3duy "SIZE"
            Expect.equal bytes.[16..76] expected "PAYLOAD"
            Expect.equal bytes.Length (15 + 1 + 61 + 4) "TIME, SIZE, PAYLOAD, CRC"
            let crc = crc32c bytes.[0..76]
            Expect.equal bytes.[77..] [| byte (crc >>> 24); byte (crc >>> 16); byte (crc >>> 8); byte crc |] "CRC, big-endian"
            let contents = read (segmentOf [ bytes ])
            let spec: NewJob =
                { Id = idOf g; Name = (JobName.tryCreate "ab").Value; Ttr = (Ttr.tryCreate 1000L<ms>).Value
                  Ttl = (Ttl.tryCreate 60_000L<ms>).Value; Priority = -2; MaxAttempts = (Limit.tryCreate 3).Value
                  MaxFails = (Limit.tryCreate 1).Value; Backoff = RetryDelay.zero; Payload = "hi"B }
            Expect.equal contents.Damage None "sound"
            Expect.equal contents.Records [ { At = instant appended; Entry = OriginalSegment.Add(spec, instant created) } ] "the record"
        }
    ]

// ---------------------------------------------------------------------------
// The reader

let private a, b, c = Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()

/// Three sound records: the middle one is the one damaged below.
let private three =
    [ record (at 0.0) (Add(job a "q" (at 0.0)))
      record (at 1.0) (Complete(a, "a result"))
      record (at 2.0) (Delete a) ]

let private raw (bytes: byte list) = Raw(Array.ofList bytes)
let private idBytes (g: Guid) = List.ofArray (g.ToByteArray(bigEndian = true))

/// Payloads with a sound frame and checksum that the original would not write.
let private notWritten =
    let plain = payload (Add(job b "q" (at 0.0))) |> List.ofArray
    // Offsets in `plain`: type 0, id 1-16, name 17-18 ("q"), TTR 19-20 (60000 = e0 d4 03: 19-21).
    let withByte i v = plain |> List.mapi (fun j x -> if j = i then v else x)
    [ "an empty payload", raw []
      "an unknown type with more bytes", raw ([ 9uy ] @ idBytes b)
      "trailing bytes after a delete", raw ([ 5uy ] @ idBytes b @ [ 0uy ])
      "a delete cut short", raw ([ 5uy ] @ (idBytes b |> List.take 15))
      "a nil id", raw ([ 5uy ] @ List.replicate 16 0uy)
      "a TTR of 0", Add { job b "q" (at 0.0) with Ttr = 0UL }
      "a TTR over 24 h", Add { job b "q" (at 0.0) with Ttr = 86_400_001UL }
      "a TTL of 0", Add { job b "q" (at 0.0) with Ttl = 0UL }
      "a TTL over 30 days", Add { job b "q" (at 0.0) with Ttl = 2_592_000_001UL }
      "a name with a space", Add(job b "a q" (at 0.0))
      "an empty name", Add(job b "" (at 0.0))
      "a priority beyond 32 bits", Add { job b "q" (at 0.0) with Priority = 1L <<< 40 }
      "max-attempts 256", Add { job b "q" (at 0.0) with MaxAttempts = 256UL }
      "an add with a scheduled time", raw (List.ofArray (payload (Schedule { job b "q" (at 0.0) with Time = Some(at 5.0) })) |> List.mapi (fun i x -> if i = 0 then 1uy else x))
      "a schedule with the zero time", raw (withByte 0 2uy)
      "a time of version 2", raw (plain |> List.mapi (fun i x -> if i = plain.Length - 15 then 2uy else x))
      "a uvarint of eleven bytes", raw ([ 3uy ] @ idBytes b @ List.replicate 10 0x80uy @ [ 0uy ]) ]

let private readerTests =
    testList "reader" [
        test "reads every record type back, and an unknown type alone in its payload" {
            let s = { job c "sched.q" (at 0.0) with Time = Some(at 30.0); Priority = 7L; MaxAttempts = 255UL; MaxFails = 9UL }
            let commands =
                [ Add { job a "q" (at -1.0) with Priority = -2_147_483_648L }
                  Schedule s
                  StartAttempt a
                  TimeoutAttempt a
                  Complete(a, "ok")
                  Fail(c, "")
                  Expire b
                  Delete a
                  raw [ 42uy ] ]
            let entries = commands |> List.mapi (fun i cmd -> at (float i), cmd)
            let contents = read (segment entries)
            let spec (g: Guid) name (j: Job) : NewJob =
                { Id = idOf g; Name = (JobName.tryCreate name).Value; Ttr = (Ttr.tryCreate (int64 j.Ttr * 1L<ms>)).Value
                  Ttl = (Ttl.tryCreate (int64 j.Ttl * 1L<ms>)).Value; Priority = int j.Priority
                  MaxAttempts = (Limit.tryCreate (int j.MaxAttempts)).Value; MaxFails = (Limit.tryCreate (int j.MaxFails)).Value
                  Backoff = RetryDelay.zero; Payload = Text.Encoding.ASCII.GetBytes j.Payload }
            let expected =
                [ OriginalSegment.Add(spec a "q" { job a "q" (at -1.0) with Priority = -2_147_483_648L }, instant (at -1.0))
                  OriginalSegment.Schedule(spec c "sched.q" s, instant (at 30.0), instant (at 0.0))
                  OriginalSegment.StartAttempt(idOf a)
                  OriginalSegment.TimeoutAttempt(idOf a)
                  OriginalSegment.Complete(idOf a, "ok"B)
                  OriginalSegment.Fail(idOf c, [||])
                  OriginalSegment.Expire(idOf b)
                  OriginalSegment.Delete(idOf a)
                  OriginalSegment.Unknown 42uy ]
            Expect.equal contents.Damage None "sound"
            Expect.equal (contents.Records |> List.map _.Entry) expected "entries"
            Expect.equal (contents.Records |> List.map _.At) [ for i in 0..8 -> instant (at (float i)) ] "instants"
        }

        test "a header alone is an empty segment; the start of one a torn header; another header is damage" {
            Expect.equal (read header) { Records = []; SoundLength = 8; Damage = None } "a header alone"
            Expect.equal (read [||]).Damage (Some(Segment.TornTail 0)) "an empty file"
            Expect.equal (read header.[0..4]).Damage (Some(Segment.TornTail 0)) "a header cut short"
            Expect.equal (read [| 0x77uy; 0x71uy; 0x00uy |]).Damage (Some Segment.BadHeader) "a short file that is not a header"
            let version2 = Array.append [| 0x77uy; 0x71uy; 0x77uy; 0x71uy; 0uy; 0uy; 0uy; 2uy |] three.[0]
            Expect.equal (read version2).Damage (Some Segment.BadHeader) "version 2"
            let ours = Array.append (Segment.header ()) three.[0]
            Expect.equal (read ours).Damage (Some Segment.BadHeader) "a segment of ours"
        }

        test "a torn last record, cut anywhere, is a torn tail at its offset; the records before it stay" {
            let bytes = segmentOf three
            let last = (recordOffsets three).[2]
            for cut in 1 .. three.[2].Length - 1 do
                let contents = OriginalSegment.read bytes (bytes.Length - cut)
                Expect.equal contents.Damage (Some(Segment.TornTail last)) $"cut by {cut} bytes"
                Expect.equal contents.Records.Length 2 $"records kept when cut by {cut} bytes"
                Expect.equal contents.SoundLength last $"sound length when cut by {cut} bytes"
        }

        test "a flipped byte anywhere in a middle record is damage at that record; the records before it stay" {
            let offsets = recordOffsets three
            for i in 0 .. three.[1].Length - 1 do
                let bytes = segmentOf three
                bytes.[offsets.[1] + i] <- bytes.[offsets.[1] + i] ^^^ 0xFFuy
                let contents = read bytes
                Expect.equal contents.Damage (Some(Segment.Corrupt offsets.[1])) $"byte {i} of the middle record flipped"
                Expect.equal (contents.Records |> List.map _.Entry) [ (read (segmentOf [ three.[0] ])).Records.Head.Entry ] $"records kept, byte {i}"
        }

        test "a flipped byte in the last record is a torn tail: nothing sound follows it" {
            let bytes = segmentOf three
            bytes.[bytes.Length - 1] <- bytes.[bytes.Length - 1] ^^^ 1uy
            Expect.equal (read bytes).Damage (Some(Segment.TornTail (recordOffsets three).[2])) "the last record's CRC"
        }

        testList "payloads the original does not write are damage at their record" [
            for what, command in notWritten ->
                test what {
                    let records = [ three.[0]; record (at 1.0) command; three.[2] ]
                    let contents = read (segmentOf records)
                    Expect.equal contents.Damage (Some(Segment.Corrupt (recordOffsets records).[1])) "damage at the record"
                    Expect.equal contents.Records.Length 1 "the record before it"
                    let alone = read (segmentOf [ record (at 1.0) command ])
                    Expect.equal alone.Damage (Some(Segment.Corrupt header.Length)) "damage, even as the last record"
                }
        ]
    ]

// ---------------------------------------------------------------------------
// The import, with simulated time

let private importAt (now: DateTime) (entries: (DateTime * Command) list) =
    let contents = read (segment entries)
    Expect.equal contents.Damage None "the log is sound"
    OriginalImport.run (instant now) contents.Records

let private jobOf (imported: OriginalImport.Imported) (g: Guid) = State.tryJob (idOf g) imported.State

let private theJob (imported: OriginalImport.Imported) g =
    match jobOf imported g with
    | Some j -> j
    | None -> failtestf "job %O is missing" g

let private expectGone imported (g: Guid) what = Expect.isNone (jobOf imported g) $"the {what} job is gone"

let private expectState imported g (code: int) attempts what =
    let j = theJob imported g
    Expect.equal (Job.stateCode j) code $"state of the {what} job"
    Expect.equal j.Attempts attempts $"attempts of the {what} job"

let private expectResult imported g success (result: string) what =
    match (theJob imported g).Status with
    | Finished o ->
        Expect.equal o.Success success $"success of the {what} job"
        Expect.equal (Text.Encoding.ASCII.GetString o.Data) result $"result of the {what} job"
    | other -> failtestf "the %s job is %A, not finished" what other

/// Job ids in the order a queue leases them.
let private readyOrder (imported: OriginalImport.Imported) name =
    let q = State.queue (JobName.tryCreate name).Value imported.State
    q.Ready |> SortedKeys.toSeq |> Seq.map (fun k -> k.Id) |> List.ofSeq

let private ids n = List.init n (fun _ -> Guid.NewGuid())

let private importTests =
    testList "import" [
        test "adds and schedules keep their fields; a queue leases by priority, then age" {
            let js = ids 5
            let spec (g: Guid) created = job g "q" created
            let entries =
                [ at 0.0, Add(spec js[0] (at 0.0))
                  at 1.0, Add { spec js[1] (at 1.0) with Priority = 5L; Ttr = 1234UL; Ttl = 7_200_000UL; MaxAttempts = 3UL; MaxFails = 2UL; Payload = "p1" }
                  at 2.0, Add(spec js[2] (at 2.0))
                  at 3.0, Schedule { spec js[3] (at 3.0) with Time = Some(at 90.0) }
                  at 4.0, Schedule { spec js[4] (at 4.0) with Time = Some(at 5.0) } ]
            let imported = importAt (at 10.0) entries
            let j = theJob imported js[1]
            Expect.equal (j.Name.Value, j.Ttr.Ms, j.Priority, j.MaxAttempts.Value, j.MaxFails.Value, j.Payload)
                ("q", 1234L<ms>, 5, 3, 2, "p1"B) "fields of an add"
            Expect.equal j.Origin (Background (Ttl.tryCreate 7_200_000L<ms>).Value) "an add's TTL"
            Expect.equal j.Created (instant (at 1.0)) "created as recorded"
            Expect.equal (theJob imported js[3]).Status Waiting "a schedule still to come"
            Expect.equal (theJob imported js[3]).Origin (Scheduled((Ttl.tryCreate 3_600_000L<ms>).Value, instant (at 90.0))) "its time"
            // The schedule whose time has come joins at its time: after the adds of before.
            Expect.equal (readyOrder imported "q") (List.map idOf [ js[1]; js[0]; js[2]; js[4] ]) "lease order"
            Expect.equal (imported.Records, imported.Ignored) (5, 0) "records, none ignored"
        }

        test "a TTL counts from creation or schedule time and is never renewed" {
            let x, y, z, w = Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()
            let entries =
                [ at 0.0, Add(job x "q" (at 0.0))
                  at 0.0, Schedule { job y "q" (at 0.0) with Time = Some(at 30.0) }
                  at 0.0, Add { job z "q" (at 0.0) with Ttl = 10UL * minute }
                  // After a restart the original had renewed z's TTL: a worker leased and completed it.
                  at 20.0, StartAttempt z
                  at 21.0, Complete(z, "late")
                  at 22.0, Add { job w "q" (at 22.0) with Ttl = 60UL * minute } ]
            let imported = importAt (at 61.0) entries
            expectGone imported x "added an hour and a minute ago"
            expectState imported y 0 0 "scheduled half an hour later"
            expectGone imported z "expired before its lease"
            expectState imported w 0 0 "added later"
            Expect.equal imported.State.EvictedJobs 2L "unfinished jobs whose TTL ran out"
            Expect.equal imported.Ignored 2 "z's lease and complete changed nothing"
        }

        test "a recorded lease stays leased, its TTR counted from the start-attempt; a timeout-attempt returns it" {
            let j1, j2, j3, j4, j5 = Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()
            let short g = { job g "q" (at 0.0) with Ttr = minute }
            let entries =
                [ at 0.0, Add { job j1 "q" (at 0.0) with Ttr = 30UL * minute }
                  at 0.0, Add(short j2)
                  at 0.0, Add(short j3)
                  at 0.0, Add { short j4 with MaxAttempts = 1UL }
                  at 0.0, Add { short j5 with MaxAttempts = 2UL }
                  at 1.0, StartAttempt j2
                  at 2.0, TimeoutAttempt j2
                  at 2.0, StartAttempt j3
                  at 2.0, StartAttempt j4
                  at 3.0, TimeoutAttempt j4
                  at 3.0, StartAttempt j5
                  at 4.0, TimeoutAttempt j5
                  at 4.0, StartAttempt j5
                  at 5.0, StartAttempt j1 ]
            let imported = importAt (at 10.0) entries
            expectState imported j1 4 1 "leased"
            Expect.equal (theJob imported j1).Status (Leased(instant (at 35.0))) "leased until the start-attempt plus TTR"
            expectState imported j2 3 1 "timed out"
            expectState imported j3 3 1 "whose lease ran out with no record"
            expectState imported j4 2 1 "timed out on its last attempt"
            expectResult imported j4 false "" "timed out on its last attempt"
            expectState imported j5 2 2 "whose last lease ran out with no record"
            Expect.equal (readyOrder imported "q") (List.map idOf [ j2; j3 ]) "requeued in their places"
        }

        test "completed and failed jobs keep their results; a recorded fail is final, whatever max-fails says" {
            let c1, f1, f2 = Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()
            let entries =
                [ at 0.0, Add(job c1 "q" (at 0.0))
                  at 0.0, Add { job f1 "q" (at 0.0) with MaxFails = 3UL }
                  at 0.0, Add(job f2 "q" (at 0.0))
                  at 1.0, StartAttempt c1
                  at 1.0, StartAttempt f1
                  at 2.0, Complete(c1, "done")
                  at 2.0, Fail(f1, "bad")
                  // Complete and fail need no lease, in the original as here.
                  at 3.0, Fail(f2, "never leased")
                  // A second result changes nothing.
                  at 4.0, Complete(f1, "again") ]
            let imported = importAt (at 10.0) entries
            expectState imported c1 1 1 "completed"
            expectResult imported c1 true "done" "completed"
            expectState imported f1 2 1 "failed with fails to spare"
            expectResult imported f1 false "bad" "failed with fails to spare"
            Expect.equal (theJob imported f1).Fails 1 "the fail counted"
            expectResult imported f2 false "never leased" "failed unleased"
            Expect.equal imported.Ignored 1 "the second result"
        }

        test "deleted and expired jobs stay gone; an expire counts an unfinished job as evicted" {
            let d1, e1, e2, e3 = Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()
            let entries =
                [ at 0.0, Add(job d1 "q" (at 0.0))
                  at 0.0, Add(job e1 "q" (at 0.0))
                  at 0.0, Add(job e2 "q" (at 0.0))
                  at 0.0, Add { job e3 "q" (at 0.0) with Ttl = minute }
                  at 0.5, Complete(e2, "kept until its TTL")
                  at 0.7, Delete d1
                  at 1.0, Expire e1
                  at 1.0, Expire e2
                  // Our timer for e3's TTL runs out at this instant too, first: its record finds it gone.
                  at 1.0, Expire e3
                  // The id is free again.
                  at 2.0, Add { job d1 "q" (at 2.0) with Payload = "again" } ]
            let imported = importAt (at 3.0) entries
            expectGone imported e1 "expired"
            expectGone imported e2 "finished, then expired"
            expectGone imported e3 "whose TTL ran out"
            Expect.equal (theJob imported d1).Payload "again"B "the id added again after its delete"
            Expect.equal imported.State.EvictedJobs 2L "the unfinished expired jobs"
            Expect.equal (imported.State.Jobs.Count, imported.Ignored) (1, 1) "one job; e3's expire changed nothing"
        }

        test "records about jobs it does not know change nothing, as in the original" {
            let live, run, never = Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()
            let entries =
                [ at 0.0, Add(job live "q" (at 0.0))
                  // A run job: the original logs its lease and its end, not the job.
                  at 1.0, StartAttempt run
                  at 2.0, Expire run
                  at 3.0, Complete(never, "x")
                  at 3.0, Fail(never, "x")
                  at 3.0, Delete never
                  at 3.0, TimeoutAttempt never
                  at 3.0, TimeoutAttempt live
                  at 3.0, raw [ 0uy ]
                  at 4.0, Add { job live "q" (at 4.0) with Payload = "a duplicate" } ]
            let imported = importAt (at 5.0) entries
            Expect.equal (theJob imported live).Payload (Text.Encoding.ASCII.GetBytes(string live)) "the first add"
            expectState imported live 0 0 "live"
            Expect.equal (imported.Records, imported.Ignored) (10, 9) "every record read, all but the add changed nothing"
            Expect.equal imported.State.EvictedJobs 0L "nothing evicted"
        }

        test "the import instant decides what has run out" {
            let s, l, e = Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()
            let entries =
                [ at 0.0, Schedule { job s "q" (at 0.0) with Time = Some(at 10.0) }
                  at 0.0, Add { job l "q" (at 0.0) with Ttr = 10UL * minute }
                  at 0.0, StartAttempt l
                  at 0.0, Add { job e "q" (at 0.0) with Ttl = 10UL * minute } ]
            let before = importAt (at 9.0) entries
            expectState before s 0 0 "scheduled, before its time"
            Expect.equal (theJob before s).Status Waiting "waiting"
            expectState before l 4 1 "leased"
            expectState before e 0 0 "to expire"
            Expect.equal before.State.Started (instant (at 9.0)) "started at the import instant"
            let after = importAt (at 10.0) entries
            Expect.equal (theJob after s).Status Ready "scheduled, its time come"
            expectState after l 3 1 "whose lease ran out"
            expectGone after e "whose TTL ran out"
            Expect.equal (State.nextDeadline after.State |> ValueOption.map (fun t -> t > instant (at 10.0))) (ValueSome true) "nothing left due"
        }
    ]

[<Tests>]
let tests = testList "original log" [ writerTests; readerTests; importTests ]
