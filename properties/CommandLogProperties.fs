/// The command log's codec: what is written is read back, and damage is never a crash.
module Workq.Properties.CommandLogProperties

open System
open System.Buffers
open Expecto
open FsCheck
open FsCheck.FSharp
open Workq.Domain
open Workq.Domain.CommandLog

let private some = Option.get

let private genInstant = Gen.choose (0, Int32.MaxValue) |> Gen.map (fun s -> 1_700_000_000_000L<ms> + int64 s * 1L<ms>)

let private genId =
    gen {
        let! a = Gen.choose (0, Int32.MaxValue)
        let! b = Gen.choose (0, 0xffff)
        let! version = Gen.choose (1, 8)
        let! variant = Gen.elements [ '8'; '9'; 'a'; 'b' ]
        let! c = Gen.choose (0, Int32.MaxValue)
        return sprintf "%08x-%04x-%d%03x-%c%03x-%012x" a b version (c % 0x1000) variant (c % 0x1000) (int64 c * 7919L) |> JobId.tryParse |> some
    }

let private genBytes =
    Gen.oneof [ Gen.constant [||]; Gen.arrayOf (Gen.choose (0, 255) |> Gen.map byte) ]

let private genName =
    Gen.elements [ "a"; "q"; "emails.send"; "Resize_Image-2"; String('x', 255) ] |> Gen.map (JobName.tryCreate >> some)

let private genJob =
    gen {
        let! id = genId
        let! name = genName
        let! ttr = Gen.choose (1, 86_400_000)
        let! ttl = Gen.choose (1, Int32.MaxValue)
        let! priority = Gen.oneof [ Gen.choose (-5, 5); Gen.elements [ Int32.MinValue; Int32.MaxValue ] ]
        let! maxAttempts = Gen.choose (0, 255)
        let! maxFails = Gen.choose (0, 255)
        let! payload = genBytes
        let! created = genInstant
        let! at = genInstant
        let! origin = Gen.elements [ 0; 1; 2 ]
        let ttl = Ttl.tryCreate (int64 ttl * 1L<ms>) |> some
        let! seq = Gen.choose (0, Int32.MaxValue)
        let! attempts = Gen.choose (0, 255)
        let! fails = Gen.choose (0, 255)
        let! status =
            Gen.oneof [ Gen.constant Waiting; Gen.constant Ready; genInstant |> Gen.map Leased; genInstant |> Gen.map Delayed
                        Gen.map2 (fun s d -> Finished { Success = s; Data = d }) (Gen.elements [ true; false ]) genBytes ]
        return
            { Id = id; Name = name; Ttr = Ttr.tryCreate (int64 ttr * 1L<ms>) |> some; Priority = priority
              MaxAttempts = Limit.tryCreate maxAttempts |> some; MaxFails = Limit.tryCreate maxFails |> some
              Payload = payload; Created = created
              Origin = (match origin with 0 -> Background ttl | 1 -> Scheduled(ttl, at) | _ -> Foreground 7L)
              Seq = int64 seq; Attempts = attempts; Fails = fails; Status = status }
    }

let private genBackoff = Gen.choose (0, 3_600_000) |> Gen.map (fun v -> RetryDelay.tryCreate (int64 v * 1L<ms>) |> some)

let private genTtl = Gen.choose (1, Int32.MaxValue) |> Gen.map (fun v -> Ttl.tryCreate (int64 v * 1L<ms>) |> some)

let private genRecurrence =
    gen {
        let! job = genJob
        let! key = genName
        let! ttl = genTtl
        let! cron = Gen.elements [ "*_*_*_*_*"; "0_9_*_*_MON-FRI"; "*/15_*_*_*_*_*"; "@hourly" ] |> Gen.map (Cron.tryParse >> some)
        let! backoff = genBackoff
        let! overlap = Gen.elements [ Allow; Skip ]
        let! seq = Gen.choose (0, Int32.MaxValue)
        let! created = genInstant
        let! next = Gen.optionOf genInstant
        let! last = Gen.optionOf genId
        let spec =
            { Key = key; Name = job.Name; Ttr = job.Ttr; Ttl = ttl; Cron = cron; Priority = job.Priority
              MaxAttempts = job.MaxAttempts; MaxFails = job.MaxFails; Backoff = backoff; Overlap = overlap
              Payload = job.Payload }
        return { Spec = spec; Seq = int64 seq; Created = created; Next = next; Last = last }
    }

let genEvent =
    Gen.oneof [
        genJob |> Gen.map JobAdded
        Gen.map2 (fun id at -> JobAwoke(id, at)) genId genInstant
        Gen.map2 (fun id at -> JobLeased(id, at)) genId genInstant
        Gen.map2 (fun id at -> LeaseTimedOut(id, at)) genId genInstant
        Gen.map2 (fun id at -> AttemptsExhausted(id, at)) genId genInstant
        Gen.map3 (fun id at d -> JobCompleted(id, at, d)) genId genInstant genBytes
        Gen.map2 (fun id at -> JobRetried(id, at)) genId genInstant
        Gen.map3 (fun id at d -> JobFailed(id, at, d)) genId genInstant genBytes
        Gen.map2 (fun id at -> JobDeleted(id, at)) genId genInstant
        Gen.map2 (fun id at -> JobExpired(id, at)) genId genInstant
        Gen.map2 (fun job backoff -> JobAddedWithBackoff(job, backoff)) genJob genBackoff
        Gen.map3 (fun id at until -> JobRetryScheduled(id, at, until)) genId genInstant genInstant
        Gen.map3 (fun id at until -> LeaseExtended(id, at, until)) genId genInstant genInstant
        Gen.map4 (fun id at ttl seq -> JobRequeued(id, at, ttl, int64 seq)) genId genInstant genTtl (Gen.choose (0, Int32.MaxValue))
        genRecurrence |> Gen.map RecurrenceSet
        Gen.map2 (fun key at -> RecurrenceRemoved(key, at)) genName genInstant
        Gen.map4 (fun key at next job -> RecurrenceFired(key, at, next, job)) genName genInstant (Gen.optionOf genInstant) (Gen.optionOf genId) ]

/// A segment file holding these events.
let segmentOf (events: JobEvent list) =
    let out = ArrayBufferWriter<byte>()
    let header = Segment.header ()
    header.CopyTo(out.GetSpan header.Length)
    out.Advance header.Length
    for e in events do
        Records.write out (fun body -> EventCodec.encode body e)
    out.WrittenSpan.ToArray()

let private config = { FsCheckConfig.defaultConfig with maxTest = 200 }

/// Guids that are valid ids: version 1 to 8, variant 10xx.
let private validGuid =
    Gen.arrayOfLength 16 (Gen.choose (0, 255) |> Gen.map byte)
    |> Gen.map (fun bytes ->
        // Big-endian byte 6 holds the version, byte 8 the variant: make them valid.
        bytes.[6] <- (bytes.[6] &&& 0x0Fuy) ||| (byte (1 + int bytes.[6] % 8) <<< 4)
        bytes.[8] <- (bytes.[8] &&& 0x3Fuy) ||| 0x80uy
        Guid(ReadOnlySpan bytes, true))

[<Tests>]
let tests =
    testList "command log codec" [
        test "a damaged length that seems to run past the end, with sound records after it, is damage, not a torn tail" {
            let events = Gen.sample 3 (Gen.map2 (fun id at -> JobDeleted(id, at)) genId genInstant) |> List.ofArray
            let bytes = segmentOf events
            let second = Segment.headerSize + (bytes.Length - Segment.headerSize) / 3
            bytes.[second + 2] <- bytes.[second + 2] ^^^ 1uy
            let contents = Segment.read bytes bytes.Length
            Expect.equal contents.Damage (Some(Segment.Corrupt second)) "damage at the second record"
            Expect.equal contents.Events (List.truncate 1 events) "the first event is kept"
        }

        testPropertyWithConfig config "a Guid is an id exactly when its canonical text is" <|
            Prop.forAll (Arb.fromGen (Gen.arrayOfLength 16 (Gen.choose (0, 255) |> Gen.map byte))) (fun bytes ->
                let g = Guid(bytes)
                (JobId.ofGuid g |> Option.map string) = (JobId.tryParse (g.ToString "D") |> Option.map string))

        testPropertyWithConfig config "an id keeps its Guid, from text in either case, and orders as its Guid" <|
            Prop.forAll (Arb.fromGen (Gen.zip validGuid validGuid)) (fun (g, h) ->
                let a = (JobId.ofGuid g).Value
                let b = (JobId.ofGuid h).Value
                let upper = (JobId.tryParse ((g.ToString "D").ToUpperInvariant())).Value
                a.Guid = g && upper = a && upper.Guid = g
                && sign (JobId.Compare(a, b)) = sign (g.CompareTo h)
                && (a = b) = (g = h))

        testPropertyWithConfig config "any events, written as a segment, read back the same" <|
            Prop.forAll (Arb.fromGen (Gen.listOf genEvent)) (fun events ->
                let bytes = segmentOf events
                let contents = Segment.read bytes bytes.Length
                contents.Damage = None && contents.Events = events && contents.SoundLength = bytes.Length)

        testPropertyWithConfig config "a segment cut anywhere reads as a prefix of its events, the cut as a torn tail" <|
            Prop.forAll (Arb.fromGen (Gen.zip (Gen.nonEmptyListOf genEvent) (Gen.choose (0, 1_000_000)))) (fun (events, cutSeed) ->
                let bytes = segmentOf events
                let cut = cutSeed % bytes.Length
                let contents = Segment.read bytes cut
                let prefix = List.truncate contents.Events.Length events
                contents.Events = prefix
                && (contents.SoundLength = cut || contents.Damage = Some(Segment.TornTail contents.SoundLength)))

        testPropertyWithConfig config "a flipped byte is never read as a different event and never throws" <|
            Prop.forAll (Arb.fromGen (Gen.zip (Gen.nonEmptyListOf genEvent) (Gen.zip (Gen.choose (0, 1_000_000)) (Gen.choose (1, 255))))) (fun (events, (posSeed, flip)) ->
                let bytes = segmentOf events
                let pos = Segment.headerSize + posSeed % (bytes.Length - Segment.headerSize)
                bytes.[pos] <- bytes.[pos] ^^^ byte flip
                let contents = Segment.read bytes bytes.Length
                contents.Damage.IsSome && contents.Events = List.truncate contents.Events.Length events)

        testPropertyWithConfig config "a snapshot holds the jobs, their back-offs and failures, the recurring definitions and the counters of a state, within Snapshot.maxSize" <|
            let stored = Gen.zip3 genJob genBackoff genInstant
            Prop.forAll (Arb.fromGen (Gen.zip (Gen.listOf stored) (Gen.listOf genRecurrence))) (fun (jobs, recurrences) ->
                let jobs = jobs |> List.distinctBy (fun (j, _, _) -> j.Id) |> List.filter (fun (j, _, _) -> j.Origin <> Foreground 7L)
                let jobs = jobs |> List.mapi (fun i (j, backoff, failedAt) -> { j with Seq = int64 i }, backoff, failedAt)
                let state =
                    jobs |> List.fold (fun s (j, backoff, failedAt) -> Evolve.restore j backoff (Some failedAt) s) (State.initial 0L<ms>)
                let state = recurrences |> List.fold (fun s r -> Evolve.applyJob s (RecurrenceSet r)) state
                let state = { state with EvictedJobs = 42L }
                let out = ArrayBufferWriter<byte>()
                Snapshot.write out state
                let bytes = out.WrittenSpan.ToArray()
                Snapshot.read 0L<ms> bytes bytes.Length = Ok state && int64 bytes.Length <= Snapshot.maxSize state)
    ]
