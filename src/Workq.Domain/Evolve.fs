/// Folding events into the state: no decisions here, only their consequences.
module Workq.Domain.Evolve

let private updateQueue name (change: Queue -> Queue) state =
    let q = change (State.queue name state)
    { state with
        Queues = if Queue.isEmpty q then Map.remove name state.Queues else Map.add name q state.Queues }

let private wakeTimer (job: Job) = { At = Job.readySince job; Seq = job.Seq; Alarm = Wake job.Id }

let private leaseTimer (job: Job) until = { At = until; Seq = job.Seq; Alarm = LeaseEnd job.Id }

/// Puts a job where its status says it belongs: its queue's ready or scheduled set, or
/// the leased count, with the timer that status runs on.
let private place (job: Job) state =
    match job.Status with
    | Waiting ->
        let key = { At = Job.readySince job; Seq = job.Seq; Id = job.Id }
        { updateQueue job.Name (fun q -> { q with Scheduled = q.Scheduled.Add key }) state with
            Timers = state.Timers.Add(wakeTimer job) }
    | Ready -> updateQueue job.Name (fun q -> { q with Ready = q.Ready.Add(QueueKey.Of job) }) state
    | Leased until ->
        { updateQueue job.Name (fun q -> { q with Leased = q.Leased + 1 }) state with
            Timers = state.Timers.Add(leaseTimer job until) }
    | Finished _ -> state

/// The inverse of `place`.
let private unplace (job: Job) state =
    match job.Status with
    | Waiting ->
        let key = { At = Job.readySince job; Seq = job.Seq; Id = job.Id }
        { updateQueue job.Name (fun q -> { q with Scheduled = q.Scheduled.Remove key }) state with
            Timers = state.Timers.Remove(wakeTimer job) }
    | Ready -> updateQueue job.Name (fun q -> { q with Ready = q.Ready.Remove(QueueKey.Of job) }) state
    | Leased until ->
        { updateQueue job.Name (fun q -> { q with Leased = q.Leased - 1 }) state with
            Timers = state.Timers.Remove(leaseTimer job until) }
    | Finished _ -> state

let private expiryTimer (job: Job) =
    Job.expiresAt job |> Option.map (fun at -> { At = at; Seq = job.Seq; Alarm = Expire job.Id })

let private added (job: Job) state =
    let state = place job { state with Jobs = state.Jobs.Add(job.Id, job); NextSeq = max state.NextSeq (job.Seq + 1L) }
    match expiryTimer job with
    | Some timer -> { state with Timers = state.Timers.Add timer }
    | None -> state

let private removed (job: Job) state =
    let state = unplace job { state with Jobs = state.Jobs.Remove job.Id }
    match expiryTimer job with
    | Some timer -> { state with Timers = state.Timers.Remove timer }
    | None -> state

/// Moves a job from one status to another, re-indexing it.
let private transition id (change: Job -> Job) state =
    match Map.tryFind id state.Jobs with
    | None -> state
    | Some job ->
        let next = change job
        place next (unplace job { state with Jobs = state.Jobs.Add(id, next) })

let private finished success data = Finished { Success = success; Data = data }

let applyJob (state: State) (event: JobEvent) : State =
    match event with
    | JobAdded job -> added job state
    | JobAwoke(id, _) -> transition id (fun j -> { j with Status = Ready }) state
    | JobLeased(id, at) ->
        transition id (fun j -> { j with Status = Leased(at + j.Ttr.Ms); Attempts = j.Attempts + 1 }) state
    | LeaseTimedOut(id, _) -> transition id (fun j -> { j with Status = Ready }) state
    | AttemptsExhausted(id, _) -> transition id (fun j -> { j with Status = finished false [||] }) state
    | JobCompleted(id, _, data) -> transition id (fun j -> { j with Status = finished true data }) state
    | JobRetried(id, _) ->
        // Back in its place: a leased job returns to its queue, a waiting or ready one stays.
        let requeue status =
            match status with
            | Leased _ -> Ready
            | other -> other
        transition id (fun j -> { j with Status = requeue j.Status; Fails = j.Fails + 1 }) state
    | JobFailed(id, _, data) ->
        transition id (fun j -> { j with Status = finished false data; Fails = j.Fails + 1 }) state
    | JobDeleted(id, _) ->
        match Map.tryFind id state.Jobs with
        | Some job -> removed job state
        | None -> state
    | JobExpired(id, _) ->
        match Map.tryFind id state.Jobs with
        | Some job ->
            let evicted = if Job.isFinished job then 0L else 1L
            { removed job state with EvictedJobs = state.EvictedJobs + evicted }
        | None -> state

/// Changes the waiting workers of each name a worker waits on.
let private workersOf names (change: Set<WaiterKey> -> Set<WaiterKey>) state =
    List.distinct names
    |> List.fold (fun s name -> updateQueue name (fun q -> { q with Workers = change q.Workers }) s) state

let private watch id conn state =
    let conns = state.Watchers |> Map.tryFind id |> Option.defaultValue Set.empty
    { state with Watchers = state.Watchers.Add(id, conns.Add conn) }

let private unwatch id conn state =
    match Map.tryFind id state.Watchers with
    | None -> state
    | Some conns ->
        let rest = conns.Remove conn
        { state with Watchers = if rest.IsEmpty then state.Watchers.Remove id else state.Watchers.Add(id, rest) }

let private waitTimer conn (wait: Wait) =
    wait.Until |> Option.map (fun at -> { At = at; Seq = wait.Seq; Alarm = WaitEnd conn })

let private withoutTimer (timer: Timer option) state =
    match timer with
    | Some t -> { state with Timers = state.Timers.Remove t }
    | None -> state

let applySession (state: State) (event: SessionEvent) : State =
    match event with
    | ClientConnected conn -> { state with Clients = state.Clients.Add conn }
    | ClientDisconnected conn -> { state with Clients = state.Clients.Remove conn }
    | WaitStarted(conn, waiter, until) ->
        let wait = { Seq = state.NextWaitSeq; Waiter = waiter; Until = Some until }
        let state =
            { state with
                Waits = state.Waits.Add(conn, wait)
                Timers = state.Timers.Add { At = until; Seq = wait.Seq; Alarm = WaitEnd conn }
                NextWaitSeq = state.NextWaitSeq + 1L }
        match waiter with
        | LeaseWaiter names -> workersOf names (Set.add { Seq = wait.Seq; Conn = conn }) state
        | ResultWaiter id
        | RunWaiter id -> watch id conn state
    | WaitEnded conn ->
        match Map.tryFind conn state.Waits with
        | None -> state
        | Some wait ->
            let state = withoutTimer (waitTimer conn wait) { state with Waits = state.Waits.Remove conn }
            match wait.Waiter with
            | LeaseWaiter names -> workersOf names (Set.remove { Seq = wait.Seq; Conn = conn }) state
            | ResultWaiter id
            | RunWaiter id -> unwatch id conn state
    | RunOverdue conn ->
        match Map.tryFind conn state.Waits with
        | None -> state
        | Some wait ->
            withoutTimer (waitTimer conn wait) { state with Waits = state.Waits.Add(conn, { wait with Until = None }) }

let apply (state: State) (event: Event) : State =
    match event with
    | Logged e
    | Unlogged e -> applyJob state e
    | Session e -> applySession state e

/// The state a sequence of events leaves behind.
let replay (initial: State) (events: Event seq) : State = Seq.fold apply initial events
