/// Rebuilds the jobs of an original Workq 0.2.0 command log with our semantics: the
/// records are facts at their instants, our timers run between them (so a TTL counts
/// from the recorded creation or schedule time and is never renewed, a lease's TTR from
/// its start-attempt record), and whatever is due by the import instant has happened.
///
/// Each record becomes one of our events, or changes nothing:
/// - add, schedule: the job, ready or waiting for its time; nothing if the id exists.
/// - complete, fail: the job finishes with its result. A fail is final, whatever
///   max-fails says: the original never retried, so the worker, and anyone who asked
///   for the result, learnt that the job had failed.
/// - delete, expire: the job is gone (an expired unfinished job counts as evicted).
/// - start-attempt: the job is leased from the record's instant, one attempt counted.
/// - timeout-attempt: a leased job goes back to its queue, or fails with an empty result
///   if it has no attempts left.
/// Records about jobs that are unknown (`run` jobs, whose leases and ends the original
/// logs) or already gone, finished or no longer leased by our rules change nothing, as
/// the original ignores a NOT-FOUND.
module Workq.Domain.CommandLog.OriginalImport

open Workq.Domain
open Workq.Domain.CommandLog.OriginalSegment

/// An import under way: fed records in log order.
type Progress =
    private
        { State: State
          /// The latest record instant so far: our timers have run up to it.
          Clock: Instant
          Records: int
          Ignored: int }

type Imported =
    { /// The jobs as of the import instant, started then.
      State: State
      Records: int
      /// Records that changed nothing.
      Ignored: int }

/// An import at `now`, the instant the server starts from its result.
let start (now: Instant) : Progress =
    { State = State.initial now; Clock = System.Int64.MinValue * 1L<ms>; Records = 0; Ignored = 0 }

/// Fires whatever our timers have due by `at`: wake-ups, expiries, ends of leases.
let private runUntil (at: Instant) (state: State) =
    match State.nextDeadline state with
    | ValueSome due when due <= at -> (Decide.decide Limits.none at Tick state).State
    | _ -> state

let private arriving (state: State) (spec: NewJob) created origin status : Job =
    { Id = spec.Id
      Name = spec.Name
      Ttr = spec.Ttr
      Priority = spec.Priority
      MaxAttempts = spec.MaxAttempts
      MaxFails = spec.MaxFails
      Payload = spec.Payload
      Created = created
      Origin = origin
      Seq = state.NextSeq
      Attempts = 0
      Fails = 0
      Status = status }

/// The event a record makes at `clock`, if it changes anything.
let private eventOf (clock: Instant) (record: Record) (state: State) : JobEvent option =
    let at = record.At
    let existing id = State.tryJob id state
    let unfinished id = existing id |> Option.filter (Job.isFinished >> not)
    match record.Entry with
    | Add(spec, created) when (existing spec.Id).IsNone ->
        Some(JobAdded(arriving state spec created (Background spec.Ttl) Ready))
    | Schedule(spec, time, created) when (existing spec.Id).IsNone ->
        let status = if time <= clock then Ready else Waiting
        Some(JobAdded(arriving state spec created (Scheduled(spec.Ttl, time)) status))
    | Add _
    | Schedule _ -> None
    | Complete(id, result) -> unfinished id |> Option.map (fun _ -> JobCompleted(id, at, result))
    | Fail(id, result) -> unfinished id |> Option.map (fun _ -> JobFailed(id, at, result))
    | Delete id -> existing id |> Option.map (fun _ -> JobDeleted(id, at))
    | Expire id -> existing id |> Option.map (fun _ -> JobExpired(id, at))
    | StartAttempt id -> unfinished id |> Option.map (fun _ -> JobLeased(id, at))
    | TimeoutAttempt id ->
        match existing id with
        | Some({ Status = Leased _ } as job) ->
            Some(if Job.mayAttemptAgain job then LeaseTimedOut(id, at) else AttemptsExhausted(id, at))
        | _ -> None
    | Unknown _ -> None

/// Applies the next record, after whatever our timers have due by its instant.
let apply (progress: Progress) (record: Record) : Progress =
    let clock = max progress.Clock record.At
    let state = runUntil clock progress.State
    match eventOf clock record state with
    | Some event ->
        { State = Evolve.applyJob state event; Clock = clock; Records = progress.Records + 1; Ignored = progress.Ignored }
    | None -> { State = state; Clock = clock; Records = progress.Records + 1; Ignored = progress.Ignored + 1 }

/// The jobs once our timers have run to `now` (or to the last record, if the log is
/// ahead of the clock).
let finish (now: Instant) (progress: Progress) : Imported =
    { State = runUntil (max progress.Clock now) progress.State
      Records = progress.Records
      Ignored = progress.Ignored }

/// Imports a whole log at `now`.
let run (now: Instant) (records: Record seq) : Imported = records |> Seq.fold apply (start now) |> finish now
