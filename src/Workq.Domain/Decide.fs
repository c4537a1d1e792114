/// The decider: given an input at an instant, which events happen and who is answered.
module Workq.Domain.Decide

/// A decision in the making: every event is applied as soon as it is emitted, so later
/// choices see its consequences. A struct: a request takes several steps, and each would
/// otherwise be an object for the collector.
[<Struct>]
type private Step =
    { State: State
      Events: Event list
      Replies: Outbound list }

let private emit event (step: Step) : Step =
    { step with State = Evolve.apply step.State event; Events = event :: step.Events }

let private reply conn r (step: Step) : Step = { step with Replies = { To = conn; Reply = r } :: step.Replies }

/// Run jobs' events stay out of the command log.
let private jobEvent (job: Job) e =
    match job.Origin with
    | Foreground _ -> Unlogged e
    | Background _
    | Scheduled _ -> Logged e

let private emitFor (job: Job) e step = emit (jobEvent job e) step

let private watchers id step =
    step.State.Watchers |> Map.tryFind id |> Option.map Set.toList |> Option.defaultValue []

/// Answers everyone waiting on a job with the same reply and ends their waits.
let private answerWatchers id r step =
    watchers id step
    |> List.fold (fun s conn -> s |> reply conn r |> emit (Session(WaitEnded conn))) step

/// Removes a job; whoever waits on it learns it is gone.
let private drop (job: Job) at step =
    step |> answerWatchers job.Id NotFound |> emitFor job (JobDeleted(job.Id, at))

/// After a job has finished: its waiters get the result, and a run job is done with.
let private settle (job: Job) outcome at step =
    let step = answerWatchers job.Id (ResultOf(job.Id, outcome)) step
    match job.Origin with
    | Foreground _ -> emitFor job (JobDeleted(job.Id, at)) step
    | Background _
    | Scheduled _ -> step

/// Leases a ready job to a connection at `now` and answers it, with the job's attempts
/// and fails when `counted`.
let private leaseTo conn (key: QueueKey) counted now step =
    let job = step.State.Jobs[key.Id]
    let step = emitFor job (JobLeased(job.Id, now)) step
    let leased = step.State.Jobs[key.Id]
    reply conn (if counted then LeaseCountedOf leased else LeaseOf leased) step

/// Serves waiting workers from the ready jobs of these queues: the earliest-waiting
/// worker that one of them can serve gets the best job among all the names it waits on,
/// and so on until no such worker is left. (A waiting worker has no ready job in any of
/// its names, so only workers on these queues can be served.)
let rec private dispatch (names: JobName list) now step =
    let earliest =
        names
        |> List.choose (fun name ->
            match Map.tryFind name step.State.Queues with
            | Some q when not q.Ready.IsEmpty && not q.Workers.IsEmpty -> Some q.Workers.MinimumElement
            | _ -> None)
        |> function
            | [] -> None
            | workers -> Some(List.minBy (fun (w: WaiterKey) -> w.Seq) workers)
    match earliest with
    | Some worker ->
        match Map.tryFind worker.Conn step.State.Waits with
        | Some { Waiter = LeaseWaiter(waitedOn, counted) } ->
            match State.bestReady waitedOn step.State with
            | Some key ->
                step
                |> emit (Session(WaitEnded worker.Conn))
                |> leaseTo worker.Conn key counted now
                |> dispatch names now
            | None -> step
        | _ -> step
    | None -> step

/// A run's wait is over: a leased job keeps it waiting for that lease, otherwise it
/// times out and its job goes.
let private runWaitRunsOut conn (job: Job) at step =
    match job.Status with
    | Leased _ -> emit (Session(RunOverdue conn)) step
    | _ -> step |> reply conn Timeout |> emit (Session(WaitEnded conn)) |> drop job at

let private leaseRunsOut (job: Job) (at: Instant) now step =
    let overdueRun =
        match job.Origin with
        | Foreground owner ->
            match Map.tryFind owner step.State.Waits with
            | Some { Until = None } -> Some owner
            | _ -> None
        | _ -> None
    match overdueRun with
    | Some owner -> step |> reply owner Timeout |> emit (Session(WaitEnded owner)) |> drop job at
    | None when Job.mayAttemptAgain job -> step |> emitFor job (LeaseTimedOut(job.Id, at))
    | None ->
        step
        |> emitFor job (AttemptsExhausted(job.Id, at))
        |> settle job { Success = false; Data = [||] } at

/// The event that adds a job, with its back-off when it has one.
let private addedEvent (job: Job) (backoff: RetryDelay) =
    if backoff.Ms = 0L<ms> then JobAdded job else JobAddedWithBackoff(job, backoff)

/// An occurrence of a recurring definition comes at `at`: its job is added, unless the
/// definition skips overlaps and its last occurrence's job is still unfinished, this
/// occurrence's job exists already, or its payload would take the stored bytes past the
/// limit (as a new job's would be refused). The next occurrence is the first after `now`,
/// so that occurrences missed while the server was down run once, not once each.
let private fireRecurrence (limits: Limits) key (at: Instant) now step =
    match Map.tryFind key step.State.Recurrences with
    | None -> step
    | Some r ->
        let spec = r.Spec
        let id = Recurrence.occurrenceId key at
        let lastRunning =
            match spec.Overlap, r.Last with
            | Skip, Some last -> State.tryJob last step.State |> Option.exists (Job.isFinished >> not)
            | _ -> false
        let next = Cron.next now spec.Cron
        let outOfRoom = not (Limits.admits limits step.State.StoredBytes spec.Payload.LongLength)
        if lastRunning || outOfRoom || SortedTree.containsKey id step.State.Jobs then
            emit (Logged(RecurrenceFired(key, at, next, None))) step
        else
            let job =
                { Id = id
                  Name = spec.Name
                  Ttr = spec.Ttr
                  Priority = spec.Priority
                  MaxAttempts = spec.MaxAttempts
                  MaxFails = spec.MaxFails
                  Payload = spec.Payload
                  Created = now
                  Origin = Background spec.Ttl
                  Seq = step.State.NextSeq
                  Attempts = 0
                  Fails = 0
                  Status = Ready }
            step
            |> emit (Logged(addedEvent job spec.Backoff))
            |> emit (Logged(RecurrenceFired(key, at, next, Some id)))

/// Fires a job's timer, or a recurrence's. Workers are served only once every such timer
/// of the instant has fired, so that they choose among all the jobs ready at that instant.
let private fireJobTimer limits (timer: Timer) now step =
    let at = timer.At
    match timer.Alarm with
    | Wake id ->
        let job = step.State.Jobs[id]
        step |> emitFor job (JobAwoke(id, at))
    | Expire id ->
        let job = step.State.Jobs[id]
        step |> answerWatchers id NotFound |> emitFor job (JobExpired(id, at))
    | LeaseEnd id -> leaseRunsOut step.State.Jobs[id] at now step
    | Occurrence key -> fireRecurrence limits key at now step
    | WaitEnd _ -> step

let private fireWaitEnd conn at step =
    match step.State.Waits.[conn].Waiter with
    | LeaseWaiter _
    | ResultWaiter _ -> step |> reply conn Timeout |> emit (Session(WaitEnded conn))
    | RunWaiter id -> runWaitRunsOut conn step.State.Jobs[id] at step

let private nextTimer step = Timers.first step.State.Timers

/// The names of the jobs whose timers fire at this instant, after firing them.
let rec private fireJobTimersAt limits at now (names: JobName list) step =
    match nextTimer step with
    | ValueSome timer when timer.At = at && not timer.IsWaitEnd ->
        let name =
            match timer.Alarm with
            | Wake id
            | LeaseEnd id -> [ step.State.Jobs[id].Name ]
            | Occurrence key -> step.State.Recurrences |> Map.tryFind key |> Option.map _.Spec.Name |> Option.toList
            | _ -> []
        step |> fireJobTimer limits timer now |> fireJobTimersAt limits at now (name @ names)
    | _ -> step, List.distinct names

/// Fires, in order, every timer due at or before `now`.
let rec private fireDue limits now step =
    match nextTimer step with
    | ValueSome timer when timer.At <= now ->
        match timer.Alarm with
        | WaitEnd conn -> step |> fireWaitEnd conn timer.At |> fireDue limits now
        | _ ->
            let step, names = fireJobTimersAt limits timer.At now [] step
            step |> dispatch names now |> fireDue limits now
    | _ -> step

let private arriving (step: Step) now origin status (spec: NewJob) : Job =
    { Id = spec.Id
      Name = spec.Name
      Ttr = spec.Ttr
      Priority = spec.Priority
      MaxAttempts = spec.MaxAttempts
      MaxFails = spec.MaxFails
      Payload = spec.Payload
      Created = now
      Origin = origin
      Seq = step.State.NextSeq
      Attempts = 0
      Fails = 0
      Status = status }

/// A run job: no TTL and no retry limits of its own.
let private arrivingRun (step: Step) now conn (spec: RunJob) : Job =
    { Id = spec.Id
      Name = spec.Name
      Ttr = spec.Ttr
      Priority = spec.Priority
      MaxAttempts = Limit.zero
      MaxFails = Limit.zero
      Payload = spec.Payload
      Created = now
      Origin = Foreground conn
      Seq = step.State.NextSeq
      Attempts = 0
      Fails = 0
      Status = Ready }

let private accept conn (job: Job) backoff now step =
    step |> emitFor job (addedEvent job backoff) |> reply conn Done |> dispatch [ job.Name ] now

let private page (p: Page) (items: seq<'a>) =
    items
    |> Seq.indexed
    |> Seq.skipWhile (fun (i, _) -> int64 i < int64 p.Offset)
    |> Seq.truncate p.Limit
    |> Seq.map snd
    |> List.ofSeq

/// A page of a tree's keys, reaching the offset in O(log n).
let private pageKeys (p: Page) (keys: SortedKeys<'k>) =
    keys |> SortedKeys.skip (int (min p.Offset (uint32 System.Int32.MaxValue))) |> Seq.truncate p.Limit

let private inspect limits conn inspection step =
    let state = step.State
    let jobsOf ids = ids |> Seq.map (fun id -> state.Jobs[id]) |> List.ofSeq
    let answer =
        match inspection with
        | InspectJob id ->
            match State.tryJob id state with
            | Some job -> JobRecords [ job ]
            | None -> NotFound
        | InspectJobs(name, p) ->
            match Map.tryFind name state.Queues with
            | Some q -> q.Ready |> pageKeys p |> Seq.map (fun k -> k.Id) |> jobsOf |> JobRecords
            | None -> NotFound
        | InspectScheduledJobs(name, p) ->
            match Map.tryFind name state.Queues with
            | Some q -> q.Scheduled |> pageKeys p |> Seq.map (fun k -> k.Id) |> jobsOf |> JobRecords
            | None -> NotFound
        | InspectQueue name ->
            match Map.tryFind name state.Queues with
            | Some q -> QueueRecords [ State.queueStats q state ]
            | None -> NotFound
        | InspectQueues p ->
            state.Queues |> Map.values |> page p |> List.map (fun q -> State.queueStats q state) |> QueueRecords
        | InspectServer -> ServerRecord(State.serverStats limits state)
        | InspectFailedJobs(name, p) ->
            FailedJobs.from name (int (min p.Offset (uint32 System.Int32.MaxValue))) state.Failed
            |> Seq.truncate p.Limit
            |> Seq.map (fun key -> { Job = state.Jobs[key.Id]; FailedAt = key.At })
            |> List.ofSeq
            |> FailedRecords
        | InspectRecurring p -> state.Recurrences |> Map.values |> page p |> RecurrenceRecords
    reply conn answer step

let private finish conn (job: Job) outcome event now step =
    step |> emitFor job event |> reply conn Done |> settle job outcome now

/// A `fail`: retried (at once, or after its wait) or final. The wait is the worker's
/// `-retry-in` if given, else the job's back-off spread by the jitter; a job still waiting
/// for its scheduled time keeps waiting for it.
let private fail conn id data (retryIn: RetryDelay option) jitter now step =
    match State.tryJob id step.State with
    | None -> reply conn NotFound step
    | Some job when Job.isFinished job -> reply conn (ClientError DuplicateResult) step
    | Some job when Job.failIsRetried job ->
        let delay =
            match retryIn with
            | Some wait -> wait.Ms
            | None ->
                let backoff = State.backoffOf id step.State
                if backoff.Ms = 0L<ms> then 0L<ms> else Backoff.delay backoff (job.Fails + 1) jitter
        let retryAt =
            match job.Status with
            | Waiting -> None
            | _ -> Backoff.retryAt now delay (Job.expiresAt job)
        let event =
            match retryAt with
            | Some at -> JobRetryScheduled(id, now, at)
            | None -> JobRetried(id, now)
        step |> emitFor job event |> reply conn Done |> dispatch [ job.Name ] now
    | Some job -> finish conn job { Success = false; Data = data } (JobFailed(id, now, data)) now step

/// A failed job back in its queue, with `ttl` from now or the time it had left.
let private requeue (job: Job) (ttl: Ttl option) now step =
    let left = Job.expiresAt job |> Option.bind (fun expiry -> Ttl.tryCreate (expiry - now))
    match Option.orElse left ttl with
    | Some ttl -> emitFor job (JobRequeued(job.Id, now, ttl, step.State.NextSeq)) step
    | None -> step

let private lease conn names (wait: WaitTimeout) counted now step =
    match State.bestReady names step.State with
    | Some key -> leaseTo conn key counted now step
    | None when wait.Ms = 0L<ms> -> reply conn Timeout step
    | None -> emit (Session(WaitStarted(conn, LeaseWaiter(names, counted), now + wait.Ms))) step

/// A new job is refused when its payload would take the stored bytes past the limit;
/// results are never refused (see `Limits`).
let private outOfRoom (limits: Limits) (payload: byte[]) (state: State) =
    not (Limits.admits limits state.StoredBytes payload.LongLength)

let private outOfMemory (limits: Limits) =
    ServerError("Out of memory: stored payloads and results would exceed " + string limits.MaxStoredBytes + " bytes")

let private command limits conn cmd jitter now step =
    let state = step.State
    let isDuplicate id = SortedTree.containsKey id state.Jobs
    match cmd with
    | Add spec when isDuplicate spec.Id -> reply conn (ClientError DuplicateJob) step
    | Add spec when outOfRoom limits spec.Payload state -> reply conn (outOfMemory limits) step
    | Add spec -> accept conn (arriving step now (Background spec.Ttl) Ready spec) spec.Backoff now step
    | Schedule(spec, _) when isDuplicate spec.Id -> reply conn (ClientError DuplicateJob) step
    | Schedule(spec, at) when at + spec.Ttl.Ms <= now -> reply conn (ClientError InvalidTime) step
    | Schedule(spec, _) when outOfRoom limits spec.Payload state -> reply conn (outOfMemory limits) step
    | Schedule(spec, at) ->
        let status = if at <= now then Ready else Waiting
        accept conn (arriving step now (Scheduled(spec.Ttl, at)) status spec) spec.Backoff now step
    | Run spec when isDuplicate spec.Id -> reply conn (ClientError DuplicateJob) step
    | Run spec when outOfRoom limits spec.Payload state -> reply conn (outOfMemory limits) step
    | Run spec ->
        let job = arrivingRun step now conn spec
        let step =
            step
            |> emitFor job (JobAdded job)
            |> emit (Session(WaitStarted(conn, RunWaiter job.Id, now + spec.Wait.Ms)))
            |> dispatch [ job.Name ] now
        if spec.Wait.Ms = 0L<ms> then runWaitRunsOut conn step.State.Jobs[job.Id] now step else step
    | Result(id, wait) ->
        match State.tryJob id state with
        | None -> reply conn NotFound step
        | Some { Status = Finished outcome } -> reply conn (ResultOf(id, outcome)) step
        | Some _ when wait.Ms = 0L<ms> -> reply conn Timeout step
        | Some _ -> emit (Session(WaitStarted(conn, ResultWaiter id, now + wait.Ms))) step
    | Lease(names, wait) -> lease conn names wait false now step
    | LeaseCounted(names, wait) -> lease conn names wait true now step
    | Complete(id, data) ->
        match State.tryJob id state with
        | None -> reply conn NotFound step
        | Some job when Job.isFinished job -> reply conn (ClientError DuplicateResult) step
        | Some job -> finish conn job { Success = true; Data = data } (JobCompleted(id, now, data)) now step
    | Fail(id, data) -> fail conn id data None jitter now step
    | FailRetryIn(id, data, retryIn) -> fail conn id data (Some retryIn) jitter now step
    | Delete id ->
        match State.tryJob id state with
        | None -> reply conn NotFound step
        | Some job -> step |> reply conn Done |> drop job now
    | Inspect inspection -> inspect limits conn inspection step
    // A cluster's host answers these itself; the decider answers as a server on its own.
    | Cluster _ -> reply conn (ClientError NotClustered) step
    | Touch(id, ttr) ->
        match State.tryJob id state with
        | Some({ Status = Leased _ } as job) ->
            let ttr = defaultArg ttr job.Ttr
            step |> emitFor job (LeaseExtended(id, now, now + ttr.Ms)) |> reply conn Done
        | _ -> reply conn NotFound step
    | Requeue(id, ttl) ->
        match State.tryJob id state with
        | None -> reply conn NotFound step
        | Some job when not (Job.isFailed job) -> reply conn (ClientError NotFailed) step
        | Some job -> step |> requeue job ttl now |> reply conn Done |> dispatch [ job.Name ] now
    | RequeueFailed(name, ttl) ->
        // Oldest failure first, so that the jobs come back in the order they failed.
        let failed = FailedJobs.from name 0 state.Failed |> Seq.map (fun key -> state.Jobs[key.Id]) |> List.ofSeq |> List.rev
        failed
        |> List.fold (fun s job -> requeue job ttl now s) step
        |> reply conn (Requeued(name, failed.Length))
        |> dispatch [ name ] now
    | Recur spec when not (Limits.admits limits state.StoredBytes (Recurrence.storedBytesOf spec)) ->
        reply conn (outOfMemory limits) step
    | Recur spec ->
        let replaced = Map.tryFind spec.Key state.Recurrences
        let recurrence =
            { Spec = spec
              Seq = state.NextSeq
              Created = now
              Next = Cron.next now spec.Cron
              Last = replaced |> Option.bind _.Last }
        step |> emit (Logged(RecurrenceSet recurrence)) |> reply conn Done
    | Unrecur key when state.Recurrences.ContainsKey key ->
        step |> emit (Logged(RecurrenceRemoved(key, now))) |> reply conn Done
    | Unrecur _ -> reply conn NotFound step
    // A server with tokens checks them on the connection and never passes `auth` on; one
    // without has nothing to check, so a client configured with a token works with it
    // as well (and a server can be given tokens after its clients are).
    | Auth _ -> reply conn Done step

let private disconnect conn now step =
    let step =
        match Map.tryFind conn step.State.Waits with
        | Some { Waiter = RunWaiter id } ->
            let job = step.State.Jobs[id]
            step |> emit (Session(WaitEnded conn)) |> drop job now
        | Some _ -> emit (Session(WaitEnded conn)) step
        | None -> step
    if step.State.Clients.Contains conn then emit (Session(ClientDisconnected conn)) step else step

let private handle limits jitter now input step =
    match input with
    | Connect conn -> emit (Session(ClientConnected conn)) step
    | Request(conn, cmd) -> command limits conn cmd jitter now step
    | Reject(conn, error) -> reply conn (ClientError error) step
    | Tick -> step
    | Disconnect conn -> disconnect conn now step

let private start state : Step = { State = state; Events = []; Replies = [] }

let private decision (step: Step) : Decision =
    { State = step.State; Events = List.rev step.Events; Replies = List.rev step.Replies }

/// Fires whatever is due by `now`, then handles the input, within `limits`; `jitter` is
/// the host's random draw for it, which spreads a retry's back-off.
let decideWith (limits: Limits) (jitter: Jitter) (now: Instant) (input: Input) (state: State) : Decision =
    start state |> fireDue limits now |> handle limits jitter now input |> decision

/// `decideWith` the middle draw, which spreads nothing: for callers that draw nothing.
let decide (limits: Limits) (now: Instant) (input: Input) (state: State) : Decision =
    decideWith limits Jitter.none now input state

/// The decision when the command log cannot be written: whatever would change what the
/// log keeps is refused and changes nothing (a request is answered with `reason`, due
/// timers stay due), while the rest — reads, waits, connections — goes on as usual.
/// A tick fires the timers that log nothing only if none of the due ones logs anything.
let decideWithoutLog (limits: Limits) (reason: string) (now: Instant) (input: Input) (state: State) : Decision =
    let attempt =
        match input with
        | Tick -> start state |> fireDue limits now |> decision
        | _ -> start state |> handle limits Jitter.none now input |> decision
    if attempt.Events |> List.exists (Event.logged >> Option.isSome) then
        let refused =
            match input with
            | Request(conn, _) -> [ { To = conn; Reply = ServerError reason } ]
            | _ -> []
        { State = state; Events = []; Replies = refused }
    else attempt
