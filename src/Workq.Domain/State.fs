namespace Workq.Domain

/// One name's jobs and workers. A queue exists only while something is in it.
type Queue =
    { Ready: Set<QueueKey>
      Scheduled: Set<DueKey>
      Leased: int
      Workers: Set<WaiterKey> }

module Queue =
    let empty = { Ready = Set.empty; Scheduled = Set.empty; Leased = 0; Workers = Set.empty }

    let isEmpty q = q.Ready.IsEmpty && q.Scheduled.IsEmpty && q.Leased = 0 && q.Workers.IsEmpty

/// A blocked connection.
type Wait =
    { Seq: int64
      Waiter: Waiter
      /// When the wait runs out; None once a run is overdue and waits for its job's lease.
      Until: Instant option }

/// Everything the server knows. Jobs and queues are rebuilt from the log; clients and
/// waits are connection state.
type State =
    { Jobs: Map<JobId, Job>
      Queues: Map<JobName, Queue>
      Timers: Set<Timer>
      /// Jobs whose TTL ran out before they finished.
      EvictedJobs: int64
      /// The next job's arrival number.
      NextSeq: int64
      Started: Instant
      Clients: Set<ConnId>
      Waits: Map<ConnId, Wait>
      /// Connections waiting in `result` (or `run`) for a job to finish.
      Watchers: Map<JobId, Set<ConnId>>
      NextWaitSeq: int64 }

module State =
    let initial (started: Instant) =
        { Jobs = Map.empty
          Queues = Map.empty
          Timers = Set.empty
          EvictedJobs = 0L
          NextSeq = 0L
          Started = started
          Clients = Set.empty
          Waits = Map.empty
          Watchers = Map.empty
          NextWaitSeq = 0L }

    let tryJob id state = Map.tryFind id state.Jobs

    let queue name state = state.Queues |> Map.tryFind name |> Option.defaultValue Queue.empty

    /// The earliest instant at which something is due, if any.
    let nextDeadline state : Instant option =
        if state.Timers.IsEmpty then None else Some state.Timers.MinimumElement.At

    /// The best ready job among the named queues, by lease order.
    let bestReady (names: JobName list) state : QueueKey option =
        names
        |> List.choose (fun name ->
            match Map.tryFind name state.Queues with
            | Some q when not q.Ready.IsEmpty -> Some q.Ready.MinimumElement
            | _ -> None)
        |> function
            | [] -> None
            | keys -> Some(List.min keys)

    let queueStats name (q: Queue) : QueueStats =
        { Name = name
          Ready = q.Ready.Count
          Scheduled = q.Scheduled.Count
          Leased = q.Leased
          Workers = q.Workers.Count }

    let serverStats state : ServerStats =
        { ActiveClients = state.Clients.Count
          EvictedJobs = state.EvictedJobs
          Started = state.Started
          Jobs = state.Jobs.Count
          Queues = state.Queues.Count }
