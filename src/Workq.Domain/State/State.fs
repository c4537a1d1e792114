namespace Workq.Domain

/// Everything the server knows. Jobs and queues are rebuilt from the log; clients and
/// waits are connection state.
///
/// The per-job collections are wide-node trees (SortedTree, SortedKeys): a few objects
/// per 16 to 32 entries instead of one per entry, which is most of a job's memory and of the
/// collector's work.
type State =
    { Jobs: SortedTree<JobId, Job>
      Queues: Map<JobName, Queue>
      Timers: Timers
      /// Jobs whose TTL ran out before they finished.
      EvictedJobs: int64
      /// The payload and result bytes of every job held (`Job.storedBytes`), kept by
      /// `Evolve`, so that a replay counts the same.
      StoredBytes: int64
      /// The next job's arrival number.
      NextSeq: int64
      Started: Instant
      Clients: Set<ConnId>
      Waits: Map<ConnId, Wait>
      /// Connections waiting in `result` (or `run`) for a job to finish.
      Watchers: Map<JobId, Set<ConnId>>
      NextWaitSeq: int64
      /// The back-off of each job that has one: kept beside the jobs, as most have none.
      Backoffs: SortedTree<JobId, RetryDelay>
      /// The jobs that ended failed, by name.
      Failed: FailedJobs
      /// The recurring definitions, by key.
      Recurrences: Map<JobName, Recurrence> }

module State =
    let initial (started: Instant) =
        { Jobs = SortedTree.empty Order.jobId
          Queues = Map.empty
          Timers = Timers.empty
          EvictedJobs = 0L
          StoredBytes = 0L
          NextSeq = 0L
          Started = started
          Clients = Set.empty
          Waits = Map.empty
          Watchers = Map.empty
          NextWaitSeq = 0L
          Backoffs = SortedTree.empty Order.jobId
          Failed = FailedJobs.empty
          Recurrences = Map.empty }

    let tryJob id state = SortedTree.tryFind id state.Jobs

    /// The job's back-off; zero for one without.
    let backoffOf id state =
        match SortedTree.tryFindV id state.Backoffs with
        | ValueSome backoff -> backoff
        | ValueNone -> RetryDelay.zero

    let queue name state =
        match state.Queues.TryGetValue name with
        | true, q -> q
        | _ -> Queue.empty name

    /// The earliest instant at which something is due, if any.
    let nextDeadline state : Instant voption =
        Timers.first state.Timers |> ValueOption.map _.At

    /// The best ready job among the named queues, by lease order.
    let bestReady (names: JobName list) state : QueueKey option =
        let better (best: QueueKey voption) name =
            match Map.tryFind name state.Queues |> Option.map (fun q -> SortedKeys.minElement q.Ready) with
            | Some(ValueSome key) when best.IsNone || QueueKey.Compare(key, best.Value) < 0 -> ValueSome key
            | _ -> best
        match List.fold better ValueNone names with
        | ValueSome key -> Some key
        | ValueNone -> None

    let queueStats (q: Queue) state : QueueStats =
        { Name = q.Name
          Ready = q.Ready.Count
          Scheduled = q.Scheduled.Count
          Leased = q.Leased
          Workers = q.Workers.Count
          Failed = FailedJobs.count q.Name state.Failed }

    let serverStats (limits: Limits) state : ServerStats =
        { ActiveClients = state.Clients.Count
          EvictedJobs = state.EvictedJobs
          Started = state.Started
          Jobs = state.Jobs.Count
          Queues = state.Queues.Count
          FailedJobs = FailedJobs.total state.Failed
          StoredBytes = state.StoredBytes
          MaxStoredBytes = limits.MaxStoredBytes
          HostKeys = []
          Node = NodeStatus.standalone }
