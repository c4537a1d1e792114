namespace Workq.Domain

/// Facts about jobs and recurring definitions, in the past tense, with the instants they
/// happened at, so that folding them rebuilds the jobs and definitions with no clock.
type JobEvent =
    /// A job was accepted: `Status` is Waiting (scheduled for later) or Ready.
    | JobAdded of Job
    /// A scheduled job's time came: it joined its ready queue.
    | JobAwoke of JobId * at: Instant
    /// A worker leased the job: one more attempt, leased until `at` + TTR.
    | JobLeased of JobId * at: Instant
    /// The lease ran out with attempts left: the job is back in its place in the queue.
    | LeaseTimedOut of JobId * at: Instant
    /// The lease ran out on the last attempt: the job failed with an empty result.
    | AttemptsExhausted of JobId * at: Instant
    | JobCompleted of JobId * at: Instant * result: byte[]
    /// A `fail` that is retried: one more fail counted, the job is back in its place.
    | JobRetried of JobId * at: Instant
    /// A `fail` that is final.
    | JobFailed of JobId * at: Instant * result: byte[]
    | JobDeleted of JobId * at: Instant
    /// The TTL ran out.
    | JobExpired of JobId * at: Instant
    /// A job with a back-off was accepted, as `JobAdded`.
    | JobAddedWithBackoff of Job * backoff: RetryDelay
    /// A `fail` that is retried after a wait: one more fail counted, the job waits until
    /// `retryAt`, which a random draw may have chosen and which replay takes as it is.
    | JobRetryScheduled of JobId * at: Instant * retryAt: Instant
    /// `touch`: the lease starts again at `at` and lasts until `until`.
    | LeaseExtended of JobId * at: Instant * until: Instant
    /// `requeue`: a failed job is back in its queue with no attempts or fails, as a job
    /// scheduled at `at` with `ttl` would be, `seq` its new arrival number.
    | JobRequeued of JobId * at: Instant * ttl: Ttl * seq: int64
    /// A recurring definition was set, replacing any of its key.
    | RecurrenceSet of Recurrence
    | RecurrenceRemoved of key: JobName * at: Instant
    /// An occurrence came at `at`: its job, when one was added (by the event before this
    /// one), and the next occurrence.
    | RecurrenceFired of key: JobName * at: Instant * next: Instant option * job: JobId option

module JobEvent =
    /// The instant the event happened at (an added job's is its creation, a definition's
    /// its setting).
    let instant =
        function
        | JobAdded job
        | JobAddedWithBackoff(job, _) -> job.Created
        | RecurrenceSet recurrence -> recurrence.Created
        | JobAwoke(_, at)
        | JobLeased(_, at)
        | LeaseTimedOut(_, at)
        | AttemptsExhausted(_, at)
        | JobCompleted(_, at, _)
        | JobRetried(_, at)
        | JobFailed(_, at, _)
        | JobDeleted(_, at)
        | JobExpired(_, at)
        | JobRetryScheduled(_, at, _)
        | LeaseExtended(_, at, _)
        | JobRequeued(_, at, _, _)
        | RecurrenceRemoved(_, at)
        | RecurrenceFired(_, at, _, _) -> at

/// What a blocked connection waits for.
type Waiter =
    /// A `lease`; `counted` when it asked for the job's attempts and fails.
    | LeaseWaiter of JobName list * counted: bool
    | ResultWaiter of JobId
    /// A `run`: the job it queued.
    | RunWaiter of JobId

/// Connection state: never logged, gone with a restart.
type SessionEvent =
    | ClientConnected of ConnId
    | ClientDisconnected of ConnId
    /// The connection blocks until `until` at the latest.
    | WaitStarted of ConnId * Waiter * until: Instant
    | WaitEnded of ConnId
    /// A run's wait ran out while its job was leased: it now waits for that lease to end.
    | RunOverdue of ConnId

type Event =
    /// A change to a background or scheduled job: written to the command log.
    | Logged of JobEvent
    /// The same facts about a `run` job: never logged.
    | Unlogged of JobEvent
    | Session of SessionEvent

module Event =
    /// The event the command log keeps, if any.
    let logged =
        function
        | Logged e -> Some e
        | Unlogged _
        | Session _ -> None
