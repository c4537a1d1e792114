/// A snapshot file: the jobs, recurring definitions and counters of a state, enough to
/// rebuild it without the segments it covers. `WORKQSNP`, the version, then a record with
/// the counters and one record per job and per definition.
///
/// Format 2 (written): the counters are the evicted jobs, the next arrival number, the job
/// count and the definition count; each record after them starts with its kind (1 a job,
/// 2 a definition); a job's record is the job, its back-off (i64 ms) and, for a failed
/// job, when it failed. Format 1 (read): three counters (no definitions), and a job's
/// record is the job alone.
module Workq.Domain.CommandLog.Snapshot

open System
open System.Buffers
open Workq.Domain
open Workq.Domain.CommandLog.Binary

let private magic = "WORKQSNP"

/// The jobs a restart must keep: run jobs die with their connection.
let durableJobs (state: State) =
    state.Jobs |> Seq.map _.Value
    |> Seq.filter (fun job ->
        match job.Origin with
        | Foreground _ -> false
        | Background _
        | Scheduled _ -> true)
    |> List.ofSeq

module private Kind =
    let [<Literal>] Job = 1uy
    let [<Literal>] Recurrence = 2uy

/// Writes a snapshot of `state`'s durable part.
let write (out: IBufferWriter<byte>) (state: State) =
    let jobs = durableJobs state
    let h = Segment.headerOf magic
    h.CopyTo(out.GetSpan h.Length)
    out.Advance h.Length
    Records.write out (fun body ->
        writeI64 body state.EvictedJobs
        writeI64 body state.NextSeq
        writeI64 body (int64 jobs.Length)
        writeI64 body (int64 state.Recurrences.Count))
    for job in jobs do
        Records.write out (fun body ->
            writeU8 body Kind.Job
            EventCodec.writeJob body job
            writeI64 body (int64 (State.backoffOf job.Id state).Ms)
            if Job.isFailed job then
                // Every failed job is among the failed ones; the fallback keeps the record whole.
                let at = FailedJobs.failedAt job.Id state.Failed |> Option.defaultValue (Job.readySince job)
                writeI64 body (int64 at))
    for KeyValue(_, r) in state.Recurrences do
        Records.write out (fun body ->
            writeU8 body Kind.Recurrence
            EventCodec.writeRecurrence body r)

/// The most bytes a job's record takes beyond its payload and result: the frame, the
/// kind, the fixed fields, the longest name, the longest origin and status, the back-off
/// and a failure's instant.
let private maxJobRecordOverhead =
    Records.headerSize + 1 + 16 + (1 + JobName.maxLength) + 8 + 4 + 1 + 1 + 4 + 8 + (1 + 8 + 8) + 8 + 4 + 4 + (1 + 8 + 4)
    + 8 + 8

/// The most bytes a recurring definition's record takes beyond its payload and its
/// expression (which `State.StoredBytes` counts): the frame, the kind, the longest key and
/// name, the fixed fields, the lengths, the next occurrence and the last job.
let private maxRecurrenceRecordOverhead =
    Records.headerSize + 1 + 2 * (1 + JobName.maxLength) + 8 + 8 + 4 + 4 + 1 + 1 + 8 + 1 + 4 + 8 + 8 + (1 + 8) + (1 + 16)

/// A bound on the size of a snapshot of `state`, known without writing it (from the
/// stored bytes and the number of jobs and definitions): the space a compaction needs.
let maxSize (state: State) : int64 =
    int64 Segment.headerSize
    + int64 (Records.headerSize + 32)
    + int64 state.Jobs.Count * int64 maxJobRecordOverhead
    + int64 state.Recurrences.Count * int64 maxRecurrenceRecordOverhead
    + state.StoredBytes

/// A record of a snapshot after its counters: a job as a snapshot keeps it, or a definition.
type private Stored =
    | StoredJob of Job * backoff: RetryDelay * failedAt: Instant option
    | StoredRecurrence of Recurrence

let private storedJob c =
    let struct (job, c) = EventCodec.readJob c
    let struct (backoff, c) = Cursor.i64 c
    let backoff = Cursor.valid (RetryDelay.tryCreate (backoff * 1L<ms>))
    if Job.isFailed job then
        let struct (at, c) = Cursor.i64 c
        struct (StoredJob(job, backoff, Some(at * 1L<ms>)), c)
    else struct (StoredJob(job, backoff, None), c)

let private stored c =
    match Cursor.u8 c with
    | struct (Kind.Job, c) -> storedJob c
    | struct (Kind.Recurrence, c) ->
        let struct (r, c) = EventCodec.readRecurrence c
        struct (StoredRecurrence r, c)
    | _ -> raise Malformed

/// A job of format 1: no back-off, and a failed one counts as failed when it became ready,
/// for want of the instant.
let private storedJobOfVersion1 c =
    let struct (job, c) = EventCodec.readJob c
    struct (StoredJob(job, RetryDelay.zero, (if Job.isFailed job then Some(Job.readySince job) else None)), c)

let private counters version c =
    let struct (evicted, c) = Cursor.i64 c
    let struct (nextSeq, c) = Cursor.i64 c
    let struct (jobs, c) = Cursor.i64 c
    if version >= 2u then
        let struct (recurrences, c) = Cursor.i64 c
        struct ((evicted, nextSeq, jobs, recurrences), c)
    else struct ((evicted, nextSeq, jobs, 0L), c)

let private restore (state: State) (item: Stored) =
    match item with
    | StoredJob(job, backoff, failedAt) -> Evolve.restore job backoff failedAt state
    | StoredRecurrence r -> Evolve.applyJob state (RecurrenceSet r)

/// The state a snapshot holds, started at `started`; an error gives the offset of the
/// damaged record (for `cmdlog verify`) and what is wrong with it.
let readDetailed (started: Instant) (bytes: byte[]) (length: int) : Result<State, int * string> =
    match Segment.versionOf magic bytes length with
    | None -> Error(0, "not a snapshot of a known version")
    | Some version ->
        match Records.scan bytes Segment.headerSize length with
        | Records.Record(bodyStart, bodyLength, next) ->
            match Cursor.run (counters version) bytes bodyStart bodyLength with
            | None -> Error(Segment.headerSize, "damaged counters")
            | Some(evicted, nextSeq, jobCount, recurrenceCount) ->
                let reader = if version >= 2u then stored else storedJobOfVersion1
                let items, _, damage = Segment.readRecords (Cursor.run reader) bytes length next
                let jobs = items |> List.sumBy (function StoredJob _ -> 1L | StoredRecurrence _ -> 0L)
                match damage with
                | Some(Segment.TornTail offset) -> Error(offset, "a record is cut short")
                | Some(Segment.Corrupt offset) -> Error(offset, "a record is damaged")
                | Some Segment.BadHeader -> Error(0, "not a snapshot of a known version")
                | None when jobs <> jobCount -> Error(length, "job count does not match")
                | None when int64 items.Length - jobs <> recurrenceCount -> Error(length, "recurring definition count does not match")
                | None ->
                    let state = items |> List.fold restore (State.initial started)
                    Ok { state with EvictedJobs = evicted; NextSeq = max nextSeq state.NextSeq }
        | _ -> Error(Segment.headerSize, "damaged counters")

/// The state a snapshot holds, started at `started`; an error names what is wrong.
let read (started: Instant) (bytes: byte[]) (length: int) : Result<State, string> =
    readDetailed started bytes length
    |> Result.mapError (fun (offset, what) -> what + " at offset " + string offset)
