/// The events of one engine batch as one replicated entry: records framed exactly as a
/// segment frames them (length, CRC-32C, body), with no header. The cluster's log
/// carries one such entry per batch that changed a job, so the command log and the
/// cluster share one codec, and every member folds an entry with the `Evolve` that
/// replay uses.
module Workq.Domain.CommandLog.Batch

open System.Buffers
open Workq.Domain

/// Appends the events as records.
let write (out: IBufferWriter<byte>) (events: JobEvent seq) =
    for e in events do
        Records.write out (fun body -> EventCodec.encode body e)

/// The events of an entry's `length` bytes; an error gives the offset of the first
/// record that is cut short, damaged or not an event.
let read (bytes: byte[]) (length: int) : Result<JobEvent list, int> =
    match Segment.readRecords EventCodec.decode bytes length 0 with
    | events, _, None -> Ok events
    | _, _, Some(Segment.TornTail offset | Segment.Corrupt offset) -> Error offset
    | _, _, Some Segment.BadHeader -> Error 0

/// What folding an entry into a member's state gives: the state, and the latest instant
/// its events carry (no earlier than `latest`).
[<Struct>]
type Applied = { State: State; Latest: Instant }

/// Folds an entry's events into `state` with `Evolve.applyJob`, as replay does.
let apply (state: State) (latest: Instant) (bytes: byte[]) (length: int) : Result<Applied, int> =
    read bytes length
    |> Result.map (fun events ->
        events
        |> List.fold
            (fun (a: Applied) e -> { State = Evolve.applyJob a.State e; Latest = max a.Latest (JobEvent.instant e) })
            { State = state; Latest = latest })
