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

module Command =
    /// Commands that may wait before answering. A connection sends nothing more to the
    /// engine until such a command is answered, so its replies stay in order.
    let mayBlock =
        function
        | Run _
        | Result _
        | Lease _ -> true
        | _ -> false
