/// Folding events into the state: no decisions here, only their consequences.
module Workq.Domain.Evolve

/// The queues with `q` in place of its old self (an empty queue goes).
let private queuesWith (q: Queue) (state: State) =
    if Queue.isEmpty q then Map.remove q.Name state.Queues else Map.add q.Name q state.Queues

let private updateQueue name (change: Queue -> Queue) (state: State) =
    { state with Queues = queuesWith (change (State.queue name state)) state }

let private wakeTimer (job: Job) = Timer.Of(Job.dueAt job, job.Seq, Wake job.Id)

let private dueKey (job: Job) : DueKey = { At = Job.dueAt job; Seq = job.Seq; Id = job.Id }

let private leaseTimer (job: Job) until = Timer.Of(until, job.Seq, LeaseEnd job.Id)

/// What a job's status indexes: its queue's ready or scheduled set or leased count, and
/// the timer that status runs on. A change of status edits both and then the state once,
/// rather than copying the state at every step.
[<Struct>]
type private Place = { Queue: Queue; Timers: Timers }

/// Puts a job where its status says it belongs.
let private place (job: Job) (p: Place) =
    let q = p.Queue
    match job.Status with
    | Waiting
    | Delayed _ -> { Queue = { q with Scheduled = SortedKeys.add (dueKey job) q.Scheduled }; Timers = Timers.add (wakeTimer job) p.Timers }
    | Ready -> { p with Queue = { q with Ready = SortedKeys.add (QueueKey.Of job) q.Ready } }
    | Leased until -> { Queue = { q with Leased = q.Leased + 1 }; Timers = Timers.add (leaseTimer job until) p.Timers }
    | Finished _ -> p

/// The inverse of `place`.
let private unplace (job: Job) (p: Place) =
    let q = p.Queue
    match job.Status with
    | Waiting
    | Delayed _ ->
        { Queue = { q with Scheduled = SortedKeys.remove (dueKey job) q.Scheduled }; Timers = Timers.remove (wakeTimer job) p.Timers }
    | Ready -> { p with Queue = { q with Ready = SortedKeys.remove (QueueKey.Of job) q.Ready } }
    | Leased until -> { Queue = { q with Leased = q.Leased - 1 }; Timers = Timers.remove (leaseTimer job until) p.Timers }
    | Finished _ -> p

let private placeOf (job: Job) state = { Queue = State.queue job.Name state; Timers = state.Timers }

let private expiryTimer (job: Job) =
    Job.expiresAt job |> Option.map (fun at -> Timer.Of(at, job.Seq, Expire job.Id))

let private added (job: Job) state =
    // The job keeps its queue's instance of its name rather than its own copy.
    let p = placeOf job state
    let job = if obj.ReferenceEquals(p.Queue.Name, job.Name) then job else { job with Name = p.Queue.Name }
    let p =
        match expiryTimer job with
        | Some timer -> place job { p with Timers = Timers.add timer p.Timers }
        | None -> place job p
    { state with
        Queues = queuesWith p.Queue state
        Jobs = SortedTree.add job.Id job state.Jobs
        Timers = p.Timers
        StoredBytes = state.StoredBytes + Job.storedBytes job
        NextSeq = max state.NextSeq (job.Seq + 1L) }

let private removed (job: Job) state =
    let p = unplace job (placeOf job state)
    let timers =
        match expiryTimer job with
        | Some timer -> Timers.remove timer p.Timers
        | None -> p.Timers
    { state with
        Queues = queuesWith p.Queue state
        Jobs = SortedTree.remove job.Id state.Jobs
        Timers = timers
        StoredBytes = state.StoredBytes - Job.storedBytes job
        Backoffs = SortedTree.remove job.Id state.Backoffs
        Failed = FailedJobs.remove job state.Failed }

let private withBackoff id (backoff: RetryDelay) (state: State) =
    if backoff.Ms = 0L<ms> then state else { state with Backoffs = SortedTree.add id backoff state.Backoffs }

/// Moves a job from one status to another, re-indexing it.
let private transition id (change: Job -> Job) state =
    match SortedTree.tryFindV id state.Jobs with
    | ValueNone -> state
    | ValueSome job ->
        let next = change job
        let p = placeOf job state |> unplace job |> place next
        { state with
            Queues = queuesWith p.Queue state
            Jobs = SortedTree.add id next state.Jobs
            Timers = p.Timers
            StoredBytes = state.StoredBytes + Job.storedBytes next - Job.storedBytes job }

let private finished success data = Finished { Success = success; Data = data }

/// The job has just ended failed, at `at`.
let private failedAt id at (state: State) =
    match SortedTree.tryFindV id state.Jobs with
    | ValueSome job -> { state with Failed = FailedJobs.add job at state.Failed }
    | ValueNone -> state

/// A failed job back in its queue, as if scheduled at `at`: its TTL from then, a new
/// arrival number, no attempts or fails; its back-off kept.
let private requeued id at ttl seq (state: State) =
    match SortedTree.tryFindV id state.Jobs with
    | ValueSome job ->
        let again = { job with Origin = Scheduled(ttl, at); Seq = seq; Attempts = 0; Fails = 0; Status = Ready }
        added again { removed job state with Backoffs = state.Backoffs }
    | ValueNone -> state

let private withoutTimer (timer: Timer option) (state: State) =
    match timer with
    | Some t -> { state with Timers = Timers.remove t state.Timers }
    | None -> state

let private recurTimer (r: Recurrence) =
    r.Next |> Option.map (fun at -> Timer.Of(at, r.Seq, Occurrence r.Spec.Key))

let private withoutRecurrence key (state: State) =
    match Map.tryFind key state.Recurrences with
    | Some r ->
        { withoutTimer (recurTimer r) state with
            Recurrences = state.Recurrences.Remove key
            StoredBytes = state.StoredBytes - Recurrence.storedBytes r }
    | None -> state

let private withRecurrence (r: Recurrence) (state: State) =
    let timers =
        match recurTimer r with
        | Some timer -> Timers.add timer state.Timers
        | None -> state.Timers
    { state with
        Recurrences = state.Recurrences.Add(r.Spec.Key, r)
        Timers = timers
        StoredBytes = state.StoredBytes + Recurrence.storedBytes r
        NextSeq = max state.NextSeq (r.Seq + 1L) }

/// A job as a snapshot keeps it: with its back-off and, for a failed one, when it failed.
let restore (job: Job) (backoff: RetryDelay) (failed: Instant option) (state: State) : State =
    let state = added job state |> withBackoff job.Id backoff
    match failed with
    | Some at when Job.isFailed job -> { state with Failed = FailedJobs.add state.Jobs[job.Id] at state.Failed }
    | _ -> state

let applyJob (state: State) (event: JobEvent) : State =
    match event with
    | JobAdded job -> added job state
    | JobAwoke(id, _) -> transition id (fun j -> { j with Status = Ready }) state
    | JobLeased(id, at) ->
        transition id (fun j -> { j with Status = Leased(at + j.Ttr.Ms); Attempts = j.Attempts + 1 }) state
    | LeaseTimedOut(id, _) -> transition id (fun j -> { j with Status = Ready }) state
    | AttemptsExhausted(id, at) -> transition id (fun j -> { j with Status = finished false [||] }) state |> failedAt id at
    | JobCompleted(id, _, data) -> transition id (fun j -> { j with Status = finished true data }) state
    | JobRetried(id, _) ->
        // Back in its place: a leased job, or one waiting for a retry, returns to its queue;
        // a job waiting for its scheduled time, or ready, stays.
        let requeue status =
            match status with
            | Leased _
            | Delayed _ -> Ready
            | other -> other
        transition id (fun j -> { j with Status = requeue j.Status; Fails = j.Fails + 1 }) state
    | JobFailed(id, at, data) ->
        transition id (fun j -> { j with Status = finished false data; Fails = j.Fails + 1 }) state |> failedAt id at
    | JobDeleted(id, _) ->
        match SortedTree.tryFindV id state.Jobs with
        | ValueSome job -> removed job state
        | ValueNone -> state
    | JobExpired(id, _) ->
        match SortedTree.tryFindV id state.Jobs with
        | ValueSome job ->
            let evicted = if Job.isFinished job then 0L else 1L
            { removed job state with EvictedJobs = state.EvictedJobs + evicted }
        | ValueNone -> state
    | JobAddedWithBackoff(job, backoff) -> added job state |> withBackoff job.Id backoff
    | JobRetryScheduled(id, _, retryAt) ->
        transition id (fun j -> { j with Status = Delayed retryAt; Fails = j.Fails + 1 }) state
    | LeaseExtended(id, _, until) -> transition id (fun j -> { j with Status = Leased until }) state
    | JobRequeued(id, at, ttl, seq) -> requeued id at ttl seq state
    | RecurrenceSet r -> withoutRecurrence r.Spec.Key state |> withRecurrence r
    | RecurrenceRemoved(key, _) -> withoutRecurrence key state
    | RecurrenceFired(key, _, next, job) ->
        match Map.tryFind key state.Recurrences with
        | Some r -> withoutRecurrence key state |> withRecurrence { r with Next = next; Last = Option.orElse r.Last job }
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
    wait.Until |> Option.map (fun at -> Timer.Of(at, wait.Seq, WaitEnd conn))

let applySession (state: State) (event: SessionEvent) : State =
    match event with
    | ClientConnected conn -> { state with Clients = state.Clients.Add conn }
    | ClientDisconnected conn -> { state with Clients = state.Clients.Remove conn }
    | WaitStarted(conn, waiter, until) ->
        let wait = { Seq = state.NextWaitSeq; Waiter = waiter; Until = Some until }
        let state =
            { state with
                Waits = state.Waits.Add(conn, wait)
                Timers = Timers.add (Timer.Of(until, wait.Seq, WaitEnd conn)) state.Timers
                NextWaitSeq = state.NextWaitSeq + 1L }
        match waiter with
        | LeaseWaiter(names, _) -> workersOf names (Set.add { Seq = wait.Seq; Conn = conn }) state
        | ResultWaiter id
        | RunWaiter id -> watch id conn state
    | WaitEnded conn ->
        match Map.tryFind conn state.Waits with
        | None -> state
        | Some wait ->
            let state = withoutTimer (waitTimer conn wait) { state with Waits = state.Waits.Remove conn }
            match wait.Waiter with
            | LeaseWaiter(names, _) -> workersOf names (Set.remove { Seq = wait.Seq; Conn = conn }) state
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
