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

/// `<instant> <name, padded to 17> <rest>`: the head of a dumped line.
let private line (at: Instant) (name: string) (rest: string) = Time.formatPrecise at + " " + name.PadRight 17 + " " + rest

/// `key=value` pairs, separated by spaces.
let private fields (pairs: (string * string) list) =
    pairs |> List.map (fun (key, value) -> key + "=" + value) |> String.concat " "

/// Data shown as text when it is printable ASCII, as hex otherwise; long data is cut.
let data (bytes: byte[]) =
    let shown = Array.truncate 64 bytes
    let printable = shown |> Array.forall (fun b -> b >= 0x20uy && b < 0x7fuy && b <> byte '"')
    let text =
        if printable then "\"" + Encoding.ASCII.GetString shown + "\""
        else "0x" + System.Convert.ToHexStringLower shown
    if bytes.Length > shown.Length then text + "...(" + string bytes.Length + " bytes)" else text

let private origin =
    function
    | Background ttl -> fields [ "ttl", string (int64 ttl.Ms) ]
    | Scheduled(ttl, at) -> fields [ "ttl", string (int64 ttl.Ms); "time", Time.formatPrecise at ]
    | Foreground owner -> fields [ "run-by", string owner ]

let private status =
    function
    | Waiting -> "waiting"
    | Ready -> "ready"
    | Leased until -> "leased-until=" + Time.formatPrecise until
    | Delayed until -> "retry-at=" + Time.formatPrecise until
    | Finished o -> (if o.Success then "completed" else "failed") + " result=" + data o.Data

/// A job's fields, `key=value` separated by spaces.
let job (job: Job) =
    String.concat " " [
        fields [ "name", job.Name.Value; "ttr", string (int64 job.Ttr.Ms) ]
        origin job.Origin
        fields [
            "priority", string job.Priority
            "max-attempts", string job.MaxAttempts.Value
            "max-fails", string job.MaxFails.Value
            "attempts", string job.Attempts
            "fails", string job.Fails
            "state", string (Job.stateCode job)
            "status", status job.Status
            "payload", data job.Payload ] ]

let private optionalTime (t: Instant option) =
    match t with
    | Some at -> Time.formatPrecise at
    | None -> "none"

/// A recurring definition's fields, `key=value` separated by spaces.
let recurrence (r: Recurrence) =
    let spec = r.Spec
    fields [
        "name", spec.Name.Value
        "ttr", string (int64 spec.Ttr.Ms)
        "ttl", string (int64 spec.Ttl.Ms)
        "cron", spec.Cron.Token
        "priority", string spec.Priority
        "max-attempts", string spec.MaxAttempts.Value
        "max-fails", string spec.MaxFails.Value
        "backoff", string (int64 spec.Backoff.Ms)
        "overlap", (match spec.Overlap with Allow -> "allow" | Skip -> "skip")
        "next", optionalTime r.Next
        "last-job", (r.Last |> Option.map string |> Option.defaultValue "none")
        "payload", data spec.Payload ]

/// `<instant> <event> <job id> <fields>`; a recurrence's events name its key where the
/// job id would be, and the job of an occurrence among the fields.
let event (e: JobEvent) =
    let head name = line (instant e) name (jobIdOf e |> Option.map string |> Option.defaultValue "-")
    let about name (key: JobName) = line (instant e) name key.Value
    match e with
    | JobAdded j -> head "JobAdded" + " " + job j
    | JobAddedWithBackoff(j, backoff) -> head "JobAdded" + " " + job j + " backoff=" + string (int64 backoff.Ms)
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
    | JobRequeued(_, _, ttl, _) -> head "JobRequeued" + " ttl=" + string (int64 ttl.Ms)
    | RecurrenceSet r -> about "RecurrenceSet" r.Spec.Key + " " + recurrence r
    | RecurrenceRemoved(key, _) -> about "RecurrenceRemoved" key
    | RecurrenceFired(key, _, next, occurrence) ->
        let added =
            match occurrence with
            | Some id -> "job=" + string id
            | None -> "skipped"
        about "RecurrenceFired" key + " " + added + " next=" + optionalTime next

/// An original Workq record, `<instant> <type> <job id> <fields>`, with the original's
/// names for its types.
let originalRecord (record: OriginalSegment.Record) =
    let head name (id: JobId) = line record.At name (string id)
    let spec (j: NewJob) =
        fields [
            "name", j.Name.Value
            "ttr", string (int64 j.Ttr.Ms)
            "ttl", string (int64 j.Ttl.Ms)
            "priority", string j.Priority
            "max-attempts", string j.MaxAttempts.Value
            "max-fails", string j.MaxFails.Value ]
    match record.Entry with
    | OriginalSegment.Add(j, created) ->
        String.concat " " [ head "add" j.Id; spec j; "created=" + Time.formatPrecise created; "payload=" + data j.Payload ]
    | OriginalSegment.Schedule(j, at, created) ->
        String.concat " " [
            head "schedule" j.Id
            spec j
            "time=" + Time.formatPrecise at
            "created=" + Time.formatPrecise created
            "payload=" + data j.Payload ]
    | OriginalSegment.Complete(id, result) -> head "complete" id + " result=" + data result
    | OriginalSegment.Fail(id, result) -> head "fail" id + " result=" + data result
    | OriginalSegment.Delete id -> head "delete" id
    | OriginalSegment.Expire id -> head "expire" id
    | OriginalSegment.StartAttempt id -> head "start-attempt" id
    | OriginalSegment.TimeoutAttempt id -> head "timeout-attempt" id
    | OriginalSegment.Unknown kind ->
        line record.At ("type-" + string kind) "- (an unknown type, alone in its record: skipped, as the original does)"

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
    "queue " + name.Value + " "
    + fields [
        "ready-len", string q.Ready.Count
        "scheduled-len", string q.Scheduled.Count
        "leased-len", string q.Leased ]

/// What `inspect job` tells of a job's progress, on one line.
let jobSummary (job: Job) =
    let code = Job.stateCode job
    String.concat " " [
        "job " + string job.Id
        fields [ "name", job.Name.Value; "state", string code ]
        stateWord code
        fields [ "attempts", string job.Attempts; "fails", string job.Fails; "priority", string job.Priority ] ]

/// A state as `cmdlog replay` prints it: queues in byte order of name, then jobs by
/// queue and arrival, then recurring definitions by key, then the server's counters.
let state (s: State) : string list =
    [ for KeyValue(name, q) in s.Queues do
          yield queue name q
      for job in s.Jobs |> Seq.map _.Value |> Seq.sortBy (fun j -> j.Name, j.Seq) do
          yield jobSummary job
      for KeyValue(key, r) in s.Recurrences do
          yield "recurring " + key.Value + " " + recurrence r
      yield
          "server "
          + fields [
              "jobs", string s.Jobs.Count
              "queues", string s.Queues.Count
              "evicted-jobs", string s.EvictedJobs
              "failed-jobs", string (FailedJobs.total s.Failed) ] ]
