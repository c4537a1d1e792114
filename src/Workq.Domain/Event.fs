namespace Workq.Domain

/// Facts about a job, in the past tense, with the instants they happened at, so that
/// folding them rebuilds the jobs with no clock.
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

module JobEvent =
    /// The instant the event happened at (an added job's is its creation).
    let instant =
        function
        | JobAdded job -> job.Created
        | JobAwoke(_, at)
        | JobLeased(_, at)
        | LeaseTimedOut(_, at)
        | AttemptsExhausted(_, at)
        | JobCompleted(_, at, _)
        | JobRetried(_, at)
        | JobFailed(_, at, _)
        | JobDeleted(_, at)
        | JobExpired(_, at) -> at

/// What a blocked connection waits for.
type Waiter =
    | LeaseWaiter of JobName list
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
