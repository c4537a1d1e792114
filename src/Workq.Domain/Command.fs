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

type Inspection =
    | InspectJob of JobId
    | InspectJobs of JobName * Page
    | InspectScheduledJobs of JobName * Page
    | InspectQueue of JobName
    | InspectQueues of Page
    | InspectServer

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
