namespace Workq.Domain

/// One record of `inspect queue(s)`.
type QueueStats =
    { Name: JobName
      Ready: int
      Scheduled: int
      Leased: int
      /// Workers blocked in `lease` on this name.
      Workers: int }

/// The record of `inspect server`.
type ServerStats =
    { ActiveClients: int
      EvictedJobs: int64
      Started: Instant
      /// Jobs held, finished or not.
      Jobs: int
      Queues: int }

type Reply =
    /// `+OK`
    | Done
    /// `+OK 1`, then `<id> <success> <size>` and the result.
    | ResultOf of JobId * Outcome
    /// `+OK 1`, then `<id> <name> <ttr> <size>` and the payload.
    | LeaseOf of Job
    | JobRecords of Job list
    | QueueRecords of QueueStats list
    | ServerRecord of ServerStats
    | ClientError of ClientError
    | ServerError of string
    | Timeout
    | NotFound
