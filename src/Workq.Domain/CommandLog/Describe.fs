/// Events, jobs and the original Workq's records as one readable line each, for
/// `cmdlog dump` and `cmdlog replay`.
module Workq.Domain.CommandLog.Describe

open System.Text
open Workq.Domain

/// The job an event is about (an occurrence's, for a recurrence; none for a definition
/// set or removed), and the instant it happened at.
let subject (event: JobEvent) : JobId option * Instant =
    match event with
    | JobAdded job
    | JobAddedWithBackoff(job, _) -> Some job.Id, job.Created
    | JobAwoke(id, at)
    | JobLeased(id, at)
    | LeaseTimedOut(id, at)
    | AttemptsExhausted(id, at)
    | JobCompleted(id, at, _)
    | JobRetried(id, at)
    | JobFailed(id, at, _)
    | JobDeleted(id, at)
    | JobExpired(id, at)
    | JobRetryScheduled(id, at, _)
    | LeaseExtended(id, at, _)
    | JobRequeued(id, at, _, _) -> Some id, at
    | RecurrenceSet r -> None, r.Created
    | RecurrenceRemoved(_, at) -> None, at
    | RecurrenceFired(_, at, _, job) -> job, at

let instant event = snd (subject event)

let jobIdOf event = fst (subject event)

/// Data shown as text when it is printable ASCII, as hex otherwise; long data is cut.
let data (bytes: byte[]) =
    let shown = Array.truncate 64 bytes
    let printable = shown |> Array.forall (fun b -> b >= 0x20uy && b < 0x7fuy && b <> byte '"')
    let text =
        if printable then "\"" + Encoding.ASCII.GetString shown + "\""
        else "0x" + System.Convert.ToHexStringLower shown
    if bytes.Length > shown.Length then sprintf "%s...(%d bytes)" text bytes.Length else text

let private origin =
    function
    | Background ttl -> sprintf "ttl=%d" (int64 ttl.Ms)
    | Scheduled(ttl, at) -> sprintf "ttl=%d time=%s" (int64 ttl.Ms) (Time.formatPrecise at)
    | Foreground owner -> sprintf "run-by=%d" owner

let private status =
    function
    | Waiting -> "waiting"
    | Ready -> "ready"
    | Leased until -> sprintf "leased-until=%s" (Time.formatPrecise until)
    | Delayed until -> sprintf "retry-at=%s" (Time.formatPrecise until)
    | Finished o -> sprintf "%s result=%s" (if o.Success then "completed" else "failed") (data o.Data)

/// A job's fields, `key=value` separated by spaces.
let job (job: Job) =
    sprintf "name=%s ttr=%d %s priority=%d max-attempts=%d max-fails=%d attempts=%d fails=%d state=%d status=%s payload=%s"
        job.Name.Value (int64 job.Ttr.Ms) (origin job.Origin) job.Priority job.MaxAttempts.Value job.MaxFails.Value
        job.Attempts job.Fails (Job.stateCode job) (status job.Status) (data job.Payload)

let private optionalTime (t: Instant option) =
    match t with
    | Some at -> Time.formatPrecise at
    | None -> "none"

/// A recurring definition's fields, `key=value` separated by spaces.
let recurrence (r: Recurrence) =
    let spec = r.Spec
    sprintf "name=%s ttr=%d ttl=%d cron=%s priority=%d max-attempts=%d max-fails=%d backoff=%d overlap=%s next=%s last-job=%s payload=%s"
        spec.Name.Value (int64 spec.Ttr.Ms) (int64 spec.Ttl.Ms) spec.Cron.Token spec.Priority spec.MaxAttempts.Value
        spec.MaxFails.Value (int64 spec.Backoff.Ms) (match spec.Overlap with Allow -> "allow" | Skip -> "skip")
        (optionalTime r.Next) (r.Last |> Option.map string |> Option.defaultValue "none") (data spec.Payload)

/// `<instant> <event> <job id> <fields>`; a recurrence's events name its key where the
/// job id would be, and the job of an occurrence among the fields.
let event (e: JobEvent) =
    let at = Time.formatPrecise (instant e)
    let head name =
        sprintf "%s %-17s %s" at name (jobIdOf e |> Option.map string |> Option.defaultValue "-")
    let about name (key: JobName) = sprintf "%s %-17s %s" at name key.Value
    match e with
    | JobAdded j -> head "JobAdded" + " " + job j
    | JobAddedWithBackoff(j, backoff) -> sprintf "%s %s backoff=%d" (head "JobAdded") (job j) (int64 backoff.Ms)
    | JobAwoke _ -> head "JobAwoke"
    | JobLeased _ -> head "JobLeased"
    | LeaseTimedOut _ -> head "LeaseTimedOut"
    | AttemptsExhausted _ -> head "AttemptsExhausted"
    | JobCompleted(_, _, d) -> head "JobCompleted" + " result=" + data d
    | JobRetried _ -> head "JobRetried"
    | JobFailed(_, _, d) -> head "JobFailed" + " result=" + data d
    | JobDeleted _ -> head "JobDeleted"
    | JobExpired _ -> head "JobExpired"
    | JobRetryScheduled(_, _, retryAt) -> head "JobRetryScheduled" + " retry-at=" + Time.formatPrecise retryAt
    | LeaseExtended(_, _, until) -> head "LeaseExtended" + " leased-until=" + Time.formatPrecise until
    | JobRequeued(_, _, ttl, _) -> sprintf "%s ttl=%d" (head "JobRequeued") (int64 ttl.Ms)
    | RecurrenceSet r -> about "RecurrenceSet" r.Spec.Key + " " + recurrence r
    | RecurrenceRemoved(key, _) -> about "RecurrenceRemoved" key
    | RecurrenceFired(key, _, next, occurrence) ->
        let added =
            match occurrence with
            | Some id -> sprintf "job=%O" id
            | None -> "skipped"
        sprintf "%s %s next=%s" (about "RecurrenceFired" key) added (optionalTime next)

/// An original Workq record, `<instant> <type> <job id> <fields>`, with the original's
/// names for its types.
let originalRecord (record: OriginalSegment.Record) =
    let head name (id: JobId) = sprintf "%s %-17s %O" (Time.formatPrecise record.At) name id
    let spec (j: NewJob) =
        sprintf "name=%s ttr=%d ttl=%d priority=%d max-attempts=%d max-fails=%d" j.Name.Value (int64 j.Ttr.Ms)
            (int64 j.Ttl.Ms) j.Priority j.MaxAttempts.Value j.MaxFails.Value
    match record.Entry with
    | OriginalSegment.Add(j, created) ->
        sprintf "%s %s created=%s payload=%s" (head "add" j.Id) (spec j) (Time.formatPrecise created) (data j.Payload)
    | OriginalSegment.Schedule(j, at, created) ->
        sprintf "%s %s time=%s created=%s payload=%s" (head "schedule" j.Id) (spec j) (Time.formatPrecise at)
            (Time.formatPrecise created) (data j.Payload)
    | OriginalSegment.Complete(id, result) -> head "complete" id + " result=" + data result
    | OriginalSegment.Fail(id, result) -> head "fail" id + " result=" + data result
    | OriginalSegment.Delete id -> head "delete" id
    | OriginalSegment.Expire id -> head "expire" id
    | OriginalSegment.StartAttempt id -> head "start-attempt" id
    | OriginalSegment.TimeoutAttempt id -> head "timeout-attempt" id
    | OriginalSegment.Unknown kind ->
        sprintf "%s %-17s - (an unknown type, alone in its record: skipped, as the original does)"
            (Time.formatPrecise record.At) (sprintf "type-%d" kind)

/// The word for a state number of `inspect job`.
let stateWord (code: int) =
    match code with
    | 0 -> "NEW"
    | 1 -> "COMPLETED"
    | 2 -> "FAILED"
    | 3 -> "PENDING"
    | 4 -> "LEASED"
    | _ -> "UNKNOWN"

/// A queue's counts, with the key names of `inspect queue`.
let queue (name: JobName) (q: Queue) =
    sprintf "queue %s ready-len=%d scheduled-len=%d leased-len=%d" name.Value q.Ready.Count q.Scheduled.Count q.Leased

/// What `inspect job` tells of a job's progress, on one line.
let jobSummary (job: Job) =
    let code = Job.stateCode job
    sprintf "job %O name=%s state=%d %s attempts=%d fails=%d priority=%d"
        job.Id job.Name.Value code (stateWord code) job.Attempts job.Fails job.Priority

/// A state as `cmdlog replay` prints it: queues in byte order of name, then jobs by
/// queue and arrival, then recurring definitions by key, then the server's counters.
let state (s: State) : string list =
    [ for KeyValue(name, q) in s.Queues do
          yield queue name q
      for job in s.Jobs |> Seq.map _.Value |> Seq.sortBy (fun j -> j.Name, j.Seq) do
          yield jobSummary job
      for KeyValue(key, r) in s.Recurrences do
          yield sprintf "recurring %s %s" key.Value (recurrence r)
      yield
          sprintf "server jobs=%d queues=%d evicted-jobs=%d failed-jobs=%d" s.Jobs.Count s.Queues.Count s.EvictedJobs
              (FailedJobs.total s.Failed) ]
