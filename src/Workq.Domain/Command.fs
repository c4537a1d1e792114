namespace Workq.Domain

/// The fields of a background or scheduled job as a client sends them.
type NewJob =
    { Id: JobId
      Name: JobName
      Ttr: Ttr
      Ttl: Ttl
      Priority: int
      MaxAttempts: Limit
      MaxFails: Limit
      /// The wait after a first retried fail, doubled after each further one; zero: none.
      Backoff: RetryDelay
      Payload: byte[] }

/// The fields of a foreground job (`run`).
type RunJob =
    { Id: JobId
      Name: JobName
      Ttr: Ttr
      Wait: WaitTimeout
      Priority: int
      Payload: byte[] }

/// A page of a listing: `<cursor-offset> <limit>`.
type Page = { Offset: uint32; Limit: int }

module Page =
    let maxLimit = 100

    /// A cursor offset read from a line: 0 to 4,294,967,295.
    let tryOffset (n: int64) : uint32 voption =
        if n >= 0L && n <= int64 System.UInt32.MaxValue then ValueSome(uint32 n) else ValueNone

    /// A limit read from a line: 1 to `maxLimit`.
    let tryLimit (n: int64) : int voption = if n >= 1L && n <= int64 maxLimit then ValueSome(int n) else ValueNone

/// Whether an occurrence of a recurring job is added while the job of the one before it
/// has not finished.
type Overlap =
    | Allow
    | Skip

/// A recurring definition as `recur` sends it: under its key, the job that each
/// occurrence of its cron expression adds.
type NewRecurrence =
    { Key: JobName
      Name: JobName
      Ttr: Ttr
      Ttl: Ttl
      Cron: Cron
      Priority: int
      MaxAttempts: Limit
      MaxFails: Limit
      Backoff: RetryDelay
      Overlap: Overlap
      Payload: byte[] }

type Inspection =
    | InspectJob of JobId
    | InspectJobs of JobName * Page
    | InspectScheduledJobs of JobName * Page
    | InspectQueue of JobName
    | InspectQueues of Page
    | InspectServer
    /// A name's failed jobs, newest first.
    | InspectFailedJobs of JobName * Page
    /// The recurring definitions, in byte order of key.
    | InspectRecurring of Page

/// Administration of a cluster: answered by the cluster that the server belongs to,
/// not by the decider (which answers as a server on its own).
type ClusterRequest =
    | ClusterStatus
    | AddMember of MemberAddress
    | RemoveMember of MemberAddress

/// A well-formed request.
type Command =
    | Add of NewJob
    | Schedule of NewJob * at: Instant
    | Run of RunJob
    | Result of JobId * WaitTimeout
    /// The names in the order given (at least one), and how long to wait.
    | Lease of JobName list * WaitTimeout
    | Complete of JobId * result: byte[]
    | Fail of JobId * result: byte[]
    | Delete of JobId
    | Inspect of Inspection
    /// `lease ... -counts=1`: as `Lease`, answered with the job's attempts and fails.
    | LeaseCounted of JobName list * WaitTimeout
    /// `fail ... -retry-in=MS`: as `Fail`, and a retry waits this long, whatever the job's back-off.
    | FailRetryIn of JobId * result: byte[] * retryIn: RetryDelay
    /// A leased job's lease starts again: its own TTR, or the one given.
    | Touch of JobId * Ttr option
    /// A failed job goes back to its queue as if just added: its TTL as it was, or the one given from now.
    | Requeue of JobId * Ttl option
    /// Every failed job of a name, requeued at once.
    | RequeueFailed of JobName * Ttl option
    /// Sets (or replaces) a recurring definition.
    | Recur of NewRecurrence
    | Unrecur of key: JobName
    | Cluster of ClusterRequest
    /// Presents a token: checked by the connection against the server's tokens when it
    /// has any (see `Admission`), answered by the decider when it has none.
    | Auth of Token
