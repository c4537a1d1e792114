namespace Workq.Domain

/// One record of `inspect queue(s)`.
type QueueStats =
    { Name: JobName
      Ready: int
      Scheduled: int
      Leased: int
      /// Workers blocked in `lease` on this name.
      Workers: int
      /// Jobs of this name that ended failed and are still kept.
      Failed: int }

/// The record of `inspect server`.
type ServerStats =
    { ActiveClients: int
      EvictedJobs: int64
      Started: Instant
      /// Jobs held, finished or not.
      Jobs: int
      Queues: int
      /// Jobs that ended failed and are still kept.
      FailedJobs: int
      /// The payload and result bytes the jobs hold (and the recurring definitions their
      /// payloads and expressions), and the limit on them.
      StoredBytes: int64
      MaxStoredBytes: int64
      /// What only the host knows (its connections, their buffers), as further keys in
      /// the host's order; the core leaves it empty.
      HostKeys: (string * int64) list }

/// A record of `inspect failed-jobs`: the job, with when it failed.
type FailedJob = { Job: Job; FailedAt: Instant }

type Reply =
    /// `+OK`
    | Done
    /// `+OK 1`, then `<id> <success> <size>` and the result.
    | ResultOf of JobId * Outcome
    /// `+OK 1`, then `<id> <name> <ttr> <size>` and the payload.
    | LeaseOf of Job
    /// `+OK 1`, then `<id> <name> <ttr> <attempts> <fails> <size>` and the payload.
    | LeaseCountedOf of Job
    | JobRecords of Job list
    | QueueRecords of QueueStats list
    | ServerRecord of ServerStats
    | FailedRecords of FailedJob list
    | RecurrenceRecords of Recurrence list
    /// `+OK 1`, then a record of how many failed jobs of the name went back to their queue.
    | Requeued of JobName * count: int
    | ClientError of ClientError
    | ServerError of string
    | Timeout
    | NotFound
