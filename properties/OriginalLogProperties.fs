/// The original Workq's command log: its reader is total on any bytes, and importing any
/// records leaves a consistent state with nothing overdue.
module Workq.Properties.OriginalLogProperties

open System
open System.Buffers.Binary
open Expecto
open FsCheck
open FsCheck.FSharp
open Workq.Domain
open Workq.Domain.CommandLog

let private config = { FsCheckConfig.defaultConfig with maxTest = 300 }

let private anyBytes n = Gen.arrayOfLength n (Gen.choose (0, 255) |> Gen.map byte)

let private bytesUpTo n = Gen.choose (0, n) |> Gen.bind anyBytes

let private uvarint (v: uint64) =
    let rec go (v: uint64) = if v < 0x80UL then [ byte v ] else (byte (v &&& 0x7FUL) ||| 0x80uy) :: go (v >>> 7)
    go v

/// A Go time: mostly a valid one, sometimes any version, seconds and nanoseconds.
let private goTime =
    gen {
        let! valid = Gen.frequency [ 6, Gen.constant true; 1, Gen.constant false ]
        let! version = if valid then Gen.constant 1uy else Gen.choose (0, 255) |> Gen.map byte
        let! seconds = if valid then Gen.choose64 (0L, 315_537_897_599L) else Gen.choose64 (Int64.MinValue, Int64.MaxValue)
        let! nanos = if valid then Gen.choose (0, 999_999_999) else Gen.choose (Int32.MinValue, Int32.MaxValue)
        let! zero = Gen.frequency [ 1, Gen.constant false; 1, Gen.constant true ]
        let bytes = Array.zeroCreate<byte> 15
        bytes.[0] <- version
        if not zero then
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan 1, seconds)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan 9, nanos)
        bytes.[13] <- 0xFFuy
        bytes.[14] <- 0xFFuy
        return List.ofArray bytes
    }

let private anyId =
    Gen.frequency [
        6, Generators.jobId |> Gen.map (fun id -> List.ofArray (id.Guid.ToByteArray(bigEndian = true)))
        1, anyBytes 16 |> Gen.map List.ofArray ]

/// A uvarint: mostly small or at a limit, sometimes any, or one that overflows.
let private number =
    Gen.frequency [
        6, Gen.elements [ 0UL; 1UL; 3UL; 127UL; 128UL; 255UL; 256UL; 60_000UL; 86_400_000UL; 86_400_001UL; 2_592_000_000UL ] |> Gen.map uvarint
        1, Gen.choose64 (0L, Int64.MaxValue) |> Gen.map (uint64 >> uvarint)
        1, Gen.constant (List.replicate 10 0x80uy @ [ 1uy ]) ]

let private sized (bytes: Gen<byte list>) = bytes |> Gen.map (fun b -> uvarint (uint64 b.Length) @ b)

let private name =
    Gen.frequency [
        6, Generators.jobName |> Gen.map (fun n -> List.ofArray (Text.Encoding.ASCII.GetBytes n.Value)) |> sized
        1, bytesUpTo 8 |> Gen.map List.ofArray |> sized ]

let private data = bytesUpTo 20 |> Gen.map List.ofArray |> sized

/// A uvarint in a field's range, mostly; any number sometimes.
let private within (lo: int64) (hi: int64) =
    Gen.frequency [ 8, Gen.choose64 (lo, hi) |> Gen.map (uint64 >> uvarint); 1, number ]

/// A payload laid out as the original writes its type: its fields, each mostly valid.
let private fields (kind: byte) =
    let all (gens: Gen<byte list> list) = gens |> Gen.sequenceToList |> Gen.map List.concat
    let priority = Generators.priority |> Gen.map (fun p -> uvarint (uint64 ((int64 p <<< 1) ^^^ (int64 p >>> 63))))
    match kind with
    | 1uy
    | 2uy ->
        all [ anyId; name; within 1L 86_400_000L; within 1L 2_592_000_000L; Gen.oneof [ priority; number ]; within 0L 255L
              within 0L 255L; data; goTime; goTime ]
    | 3uy
    | 4uy -> all [ anyId; data ]
    | 5uy | 6uy | 7uy | 8uy -> anyId
    | _ -> Gen.constant []

/// A record with a sound frame and checksum around a payload: a type byte and its fields,
/// or a type byte and a soup of fields.
let private record =
    gen {
        let! time = goTime
        let! kind = Gen.frequency [ 12, Gen.choose (1, 8); 1, Gen.choose (0, 255) ] |> Gen.map byte
        let! body =
            Gen.frequency [
                4, fields kind
                1, Gen.listOf (Gen.oneof [ anyId; number; goTime; data ]) |> Gen.map List.concat ]
        let payload = kind :: body
        let covered = time @ uvarint (uint64 payload.Length) @ payload |> Array.ofList
        let crc = Array.zeroCreate<byte> 4
        BinaryPrimitives.WriteUInt32BigEndian(crc.AsSpan(), Records.crc32c (ReadOnlySpan covered))
        return Array.append covered crc
    }

/// Any bytes; a header and any bytes; a header and records, now and then cut or flipped.
let private segmentBytes =
    Gen.frequency [
        1, bytesUpTo 200
        1, bytesUpTo 200 |> Gen.map (Array.append OriginalSegment.header)
        4, gen {
            let! records = Gen.listOf record
            let bytes = Array.concat (OriginalSegment.header :: records)
            let! cut = Gen.frequency [ 2, Gen.constant bytes.Length; 1, Gen.choose (0, bytes.Length) ]
            let! flips =
                Gen.frequency [
                    2, Gen.constant []
                    1, Gen.listOf (Gen.zip (Gen.choose (0, max 0 (bytes.Length - 1))) (Gen.choose (1, 255))) ]
            let bytes = bytes.[.. cut - 1]
            for pos, flip in flips do
                if pos < bytes.Length then bytes.[pos] <- bytes.[pos] ^^^ byte flip
            return bytes
        } ]

// ---- records for the import -------------------------------------------------------

let private start = 1_700_000_000_000L<ms>

let private minutes (lo: int) (hi: int) = Gen.choose (lo * 60_000, hi * 60_000) |> Gen.map (fun m -> int64 m * 1L<ms>)

let private spec (ids: JobId list) =
    gen {
        let! id = Gen.elements ids
        let! name = Gen.elements [ "a"; "b" ] |> Gen.map (JobName.tryCreate >> Option.get)
        let! ttr = minutes 0 30 |> Gen.map (fun t -> Ttr.tryCreate (max 1L<ms> t) |> Option.get)
        let! ttl = minutes 0 120 |> Gen.map (fun t -> Ttl.tryCreate (max 1L<ms> t) |> Option.get)
        let! priority = Gen.choose (-2, 2)
        let! maxAttempts = Gen.elements [ 0; 1; 2; 255 ] |> Gen.map (Limit.tryCreate >> Option.get)
        let! maxFails = Gen.elements [ 0; 1; 3 ] |> Gen.map (Limit.tryCreate >> Option.get)
        return
            { Id = id; Name = name; Ttr = ttr; Ttl = ttl; Priority = priority; MaxAttempts = maxAttempts; MaxFails = maxFails
              Backoff = RetryDelay.zero; Payload = [||] }
    }

/// Records about a few jobs (and some the log never adds), mostly in time order.
let private records =
    gen {
        let! ids = Gen.listOfLength 5 Generators.jobId
        let! offsets = Gen.listOf (minutes 0 180) |> Gen.map List.sort
        let! entries =
            offsets
            |> Gen.collectToList (fun at ->
                gen {
                    let! id = Gen.elements ids
                    let! late = Gen.frequency [ 9, Gen.constant 0L<ms>; 1, minutes 0 10 ]
                    let! entry =
                        Gen.frequency [
                            3, Gen.map2 (fun s created -> OriginalSegment.Add(s, created)) (spec ids) (Gen.constant (start + at - late))
                            2, Gen.map2 (fun s t -> OriginalSegment.Schedule(s, start + at + t, start + at)) (spec ids) (minutes -10 60)
                            3, Gen.constant (OriginalSegment.StartAttempt id)
                            2, Gen.constant (OriginalSegment.TimeoutAttempt id)
                            1, Gen.constant (OriginalSegment.Complete(id, "r"B))
                            1, Gen.constant (OriginalSegment.Fail(id, "f"B))
                            1, Gen.constant (OriginalSegment.Delete id)
                            1, Gen.constant (OriginalSegment.Expire id)
                            1, Gen.constant (OriginalSegment.Unknown 0uy) ]
                    return ({ At = start + at - late; Entry = entry }: OriginalSegment.Record)
                })
        let! now = minutes 0 240
        return entries, start + now
    }

/// Every job sits where its status says, and nothing is due by `now`.
let private consistent (state: State) (now: Instant) =
    let placed (job: Job) =
        let q = State.queue job.Name state
        match job.Status with
        | Ready -> SortedKeys.contains (QueueKey.Of job) q.Ready
        | Waiting
        | Delayed _ -> SortedKeys.contains { At = Job.dueAt job; Seq = job.Seq; Id = job.Id } q.Scheduled
        | Leased until -> q.Leased > 0 && until > now
        | Finished _ -> true
    let unfinished = state.Jobs |> Seq.filter (fun kv -> not (Job.isFinished kv.Value)) |> Seq.length
    let indexed = state.Queues |> Map.toSeq |> Seq.sumBy (fun (_, q) -> q.Ready.Count + q.Scheduled.Count + q.Leased)
    (state.Jobs |> Seq.forall (fun kv -> placed kv.Value))
    && indexed = unfinished
    && (match State.nextDeadline state with
        | ValueSome at -> at > now
        | ValueNone -> true)

[<Tests>]
let tests =
    testList "original log" [
        testPropertyWithConfig config "the reader is total: any bytes read without throwing, as sound records and the first damage" <|
            Prop.forAll (Arb.fromGen segmentBytes) (fun bytes ->
                let contents = OriginalSegment.read bytes bytes.Length
                // Dumping what was read is total too.
                contents.Records |> List.iter (Describe.originalRecord >> ignore)
                contents.SoundLength <= bytes.Length
                && (match contents.Damage with
                    | None -> contents.SoundLength = bytes.Length
                    | Some(Segment.TornTail at)
                    | Some(Segment.Corrupt at) -> at = contents.SoundLength
                    | Some Segment.BadHeader -> contents.Records.IsEmpty))

        testPropertyWithConfig config "a cut or one flipped byte never reads as a record that was not written" <|
            Prop.forAll (Arb.fromGen (Gen.zip (Gen.nonEmptyListOf record) (Gen.zip (Gen.choose (0, 1_000_000)) (Gen.choose (0, 255))))) (fun (records, (seed, flip)) ->
                let bytes = Array.concat (OriginalSegment.header :: records)
                let sound = OriginalSegment.read bytes bytes.Length
                let changed = Array.copy bytes
                let at = OriginalSegment.headerSize + seed % (bytes.Length - OriginalSegment.headerSize)
                changed.[at] <- changed.[at] ^^^ byte flip
                let length = if flip = 0 then at else bytes.Length
                let read = OriginalSegment.read changed length
                read.Records = List.truncate read.Records.Length sound.Records)

        testPropertyWithConfig config "importing any records leaves every job in its place and nothing overdue" <|
            Prop.forAll (Arb.fromGen records) (fun (entries: OriginalSegment.Record list, now) ->
                let imported = OriginalImport.run now entries
                imported.Records = entries.Length
                && imported.Ignored <= imported.Records
                && imported.State.Started = now
                && consistent imported.State (max now (entries |> List.fold (fun t r -> max t r.At) now)))
    ]
