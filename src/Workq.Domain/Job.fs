namespace Workq.Domain

/// What a finished job answers to `result`.
type Outcome = { Success: bool; Data: byte[] }

/// How a job came in, which fixes when it is ready and when it expires.
type Origin =
    /// `add`: ready at once, lives for its TTL from its creation.
    | Background of ttl: Ttl
    /// `schedule`: ready at `at`, lives for its TTL from then.
    | Scheduled of ttl: Ttl * at: Instant
    /// `run`: owned by the waiting connection, never logged, removed once the run ends.
    | Foreground of owner: ConnId

/// Where a job is in its life.
type Status =
    /// Scheduled and not yet due.
    | Waiting
    /// Back from a retried fail, waiting for its back-off (or the worker's `-retry-in`) to
    /// pass: leasable again at `until`.
    | Delayed of until: Instant
    /// In its queue, leasable.
    | Ready
    /// Held by a worker until the lease runs out.
    | Leased of until: Instant
    /// Completed or failed for good; kept for `result` until the TTL runs out.
    | Finished of Outcome

type Job =
    { Id: JobId
      Name: JobName
      Ttr: Ttr
      Priority: int
      MaxAttempts: Limit
      MaxFails: Limit
      Payload: byte[]
      Created: Instant
      Origin: Origin
      /// Arrival order: breaks ties between jobs ready at the same instant.
      Seq: int64
      Attempts: int
      Fails: int
      Status: Status }

module Job =
    /// The hard cap on attempts, whatever max-attempts says.
    let attemptCap = 255

    /// The instant the job joins (or joined) its ready queue: the order it keeps there.
    let readySince job =
        match job.Origin with
        | Scheduled(_, at) -> at
        | Background _
        | Foreground _ -> job.Created

    let ttl job =
        match job.Origin with
        | Background ttl
        | Scheduled(ttl, _) -> Some ttl
        | Foreground _ -> None

    let expiresAt job = ttl job |> Option.map (fun ttl -> readySince job + ttl.Ms)

    /// When a job not yet ready becomes ready: its scheduled time, or the end of its wait
    /// for a retry. It waits among its queue's scheduled jobs in this order.
    let dueAt job =
        match job.Status with
        | Delayed until -> until
        | _ -> readySince job

    let isFinished job =
        match job.Status with
        | Finished _ -> true
        | _ -> false

    /// Whether the job ended failed: its fails or attempts used up.
    let isFailed job =
        match job.Status with
        | Finished { Success = false } -> true
        | _ -> false

    /// The payload and result bytes the job holds: what the stored-bytes limit counts.
    let storedBytes job =
        match job.Status with
        | Finished outcome -> job.Payload.LongLength + outcome.Data.LongLength
        | Waiting
        | Delayed _
        | Ready
        | Leased _ -> job.Payload.LongLength

    /// Whether a further lease is allowed by max-attempts and the cap.
    let mayAttemptAgain job =
        let limit = if job.MaxAttempts.Value = 0 then attemptCap else min job.MaxAttempts.Value attemptCap
        job.Attempts < limit

    /// Whether a `fail` now sends the job back to its queue rather than finishing it.
    let failIsRetried job = job.Fails + 1 < job.MaxFails.Value && mayAttemptAgain job

    /// The state number `inspect job` shows: 0 NEW, 1 COMPLETED, 2 FAILED, 3 PENDING, 4 LEASED.
    let stateCode job =
        match job.Status with
        | Finished { Success = true } -> 1
        | Finished _ -> 2
        | Leased _ -> 4
        | Delayed _ -> 3
        | Waiting
        | Ready -> if job.Attempts > 0 || job.Fails > 0 then 3 else 0
