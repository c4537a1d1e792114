/// A snapshot file: the jobs and counters of a state, enough to rebuild it without the
/// segments it covers. `WORKQSNP`, the version, then a record with the counters and one
/// record per job.
module Workq.Domain.CommandLog.Snapshot

open System
open System.Buffers
open System.Buffers.Binary
open System.Text
open Workq.Domain
open Workq.Domain.CommandLog.Binary

let private magic = "WORKQSNP"

let private header () =
    let bytes = Array.zeroCreate<byte> Segment.headerSize
    Encoding.ASCII.GetBytes(magic).CopyTo(bytes, 0)
    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan 8, Segment.version)
    bytes

/// The jobs a restart must keep: run jobs die with their connection.
let durableJobs (state: State) =
    state.Jobs |> Seq.map _.Value
    |> Seq.filter (fun job ->
        match job.Origin with
        | Foreground _ -> false
        | Background _
        | Scheduled _ -> true)
    |> List.ofSeq

/// Writes a snapshot of `state`'s durable part.
let write (out: IBufferWriter<byte>) (state: State) =
    let jobs = durableJobs state
    let h = header ()
    h.CopyTo(out.GetSpan h.Length)
    out.Advance h.Length
    Records.write out (fun body ->
        writeI64 body state.EvictedJobs
        writeI64 body state.NextSeq
        writeI64 body (int64 jobs.Length))
    for job in jobs do
        Records.write out (fun body -> EventCodec.writeJob body job)

let private counters c =
    let struct (evicted, c) = Cursor.i64 c
    let struct (nextSeq, c) = Cursor.i64 c
    let struct (count, c) = Cursor.i64 c
    struct ((evicted, nextSeq, count), c)

/// The state a snapshot holds, started at `started`; an error gives the offset of the
/// damaged record (for `cmdlog verify`) and what is wrong with it.
let readDetailed (started: Instant) (bytes: byte[]) (length: int) : Result<State, int * string> =
    if not (Segment.isHeaderOf magic bytes length) then Error(0, "not a snapshot of a known version")
    else
        match Records.scan bytes Segment.headerSize length with
        | Records.Record(bodyStart, bodyLength, next) ->
            match Cursor.run counters bytes bodyStart bodyLength with
            | None -> Error(Segment.headerSize, "damaged counters")
            | Some(evicted, nextSeq, count) ->
                let jobs, _, damage = Segment.readRecords EventCodec.decodeJob bytes length next
                match damage with
                | Some(Segment.TornTail offset) -> Error(offset, "a job record is cut short")
                | Some(Segment.Corrupt offset) -> Error(offset, "a job record is damaged")
                | Some Segment.BadHeader -> Error(0, "not a snapshot of a known version")
                | None when int64 jobs.Length <> count -> Error(length, "job count does not match")
                | None ->
                    let state =
                        jobs |> List.fold (fun s job -> Evolve.applyJob s (JobAdded job)) (State.initial started)
                    Ok { state with EvictedJobs = evicted; NextSeq = max nextSeq state.NextSeq }
        | _ -> Error(Segment.headerSize, "damaged counters")

/// The state a snapshot holds, started at `started`; an error names what is wrong.
let read (started: Instant) (bytes: byte[]) (length: int) : Result<State, string> =
    readDetailed started bytes length
    |> Result.mapError (fun (offset, what) -> what + " at offset " + string offset)
