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

/// Where a server stands in a cluster: the last keys of `inspect server`. The host
/// knows it; the decider answers as a server on its own.
type NodeStatus =
    { /// `leader`, `follower`, `candidate`, or `standalone` without a cluster.
      Role: string
      /// The leader's client address; empty when unknown, and without a cluster.
      Leader: string
      /// The Raft term; 0 without a cluster.
      Term: int64
      /// The index of the last entry known committed; 0 without a cluster.
      CommitIndex: int64 }

module NodeStatus =
    let standalone = { Role = "standalone"; Leader = ""; Term = 0L; CommitIndex = 0L }

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
      HostKeys: (string * int64) list
      /// Where the server stands in a cluster: the record's last keys.
      Node: NodeStatus }

/// One member of a cluster as `cluster status` shows it, seen from the leader.
type MemberStats =
    { /// Its Raft endpoint, which names it.
      Address: MemberAddress
      /// Its client address; empty when not known.
      Client: string
      /// `leader` or `follower`.
      Role: string
      /// Whether the leader reaches it: `available`, `unavailable` or `unknown`.
      Status: string }

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
    /// The members of a cluster (`cluster status`).
    | MemberRecords of MemberStats list
    | FailedRecords of FailedJob list
    | RecurrenceRecords of Recurrence list
    /// `+OK 1`, then a record of how many failed jobs of the name went back to their queue.
    | Requeued of JobName * count: int
    | ClientError of ClientError
    | ServerError of string
    | Timeout
    | NotFound

module Reply =
    /// An `inspect server` reply with `node` for its last keys (the decider puts a server
    /// on its own there); any other reply as it is.
    let withNode (node: NodeStatus) (reply: Reply) =
        match reply with
        | ServerRecord stats -> ServerRecord { stats with Node = node }
        | other -> other
