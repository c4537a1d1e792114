/// A deliberately naive reference implementation of the server's semantics (spec §4, §5):
/// lists scanned linearly, every timer recomputed from the jobs, waits and recurring
/// definitions each time. It shares only the value types, commands and replies with the
/// decider, and the cron expression's next occurrence and an occurrence's id.
module Workq.Properties.ReferenceModel

open Workq.Domain

/// What a blocked connection waits for.
type Blocked =
    /// `counted`: the lease asked for the job's attempts and fails.
    | OnLease of JobName list * counted: bool
    | OnResult of JobId
    | OnRun of JobId

/// A blocked connection. `Until` is None once a run's wait ran out while its job was
/// leased: it then waits for that lease to end.
type Wait = { Conn: ConnId; On: Blocked; Until: Instant option }

type Model =
    { /// In arrival order.
      Jobs: Job list
      /// In the order the waits started.
      Waits: Wait list
      Clients: ConnId list
      Evicted: int64
      Started: Instant
      NextSeq: int64
      /// The back-off of each job that has one.
      Backoffs: Map<JobId, RetryDelay>
      /// When each job that ended failed failed.
      FailedAt: Map<JobId, Instant>
      /// The recurring definitions, in the order they were set.
      Recurrences: Recurrence list }

let initial (started: Instant) =
    { Jobs = []; Waits = []; Clients = []; Evicted = 0L; Started = started; NextSeq = 0L
      Backoffs = Map.empty; FailedAt = Map.empty; Recurrences = [] }

/// The model while one input is handled, with the replies so far (latest first).
type private Acc = { M: Model; Out: (ConnId * Reply) list }

let private say conn reply acc = { acc with Out = (conn, reply) :: acc.Out }

let private withModel f acc = { acc with M = f acc.M }

let tryJob id (m: Model) = m.Jobs |> List.tryFind (fun j -> j.Id = id)

let private setJob (job: Job) =
    withModel (fun m -> { m with Jobs = m.Jobs |> List.map (fun j -> if j.Id = job.Id then job else j) })

let private removeJob id =
    withModel (fun m ->
        { m with
            Jobs = m.Jobs |> List.filter (fun j -> j.Id <> id)
            Backoffs = m.Backoffs.Remove id
            FailedAt = m.FailedAt.Remove id })

let private endWait conn =
    withModel (fun m -> { m with Waits = m.Waits |> List.filter (fun w -> w.Conn <> conn) })

let private startWait conn on (until: Instant) =
    withModel (fun m -> { m with Waits = m.Waits @ [ { Conn = conn; On = on; Until = Some until } ] })

let private waitOf conn (m: Model) = m.Waits |> List.tryFind (fun w -> w.Conn = conn)

let private isFinished (job: Job) =
    match job.Status with
    | Finished _ -> true
    | _ -> false

/// Attempts allowed: max-attempts, or the 255 cap when it is 0.
let private attemptLimit (job: Job) = if job.MaxAttempts.Value = 0 then 255 else job.MaxAttempts.Value

let private readySince (job: Job) =
    match job.Origin with
    | Scheduled(_, at) -> at
    | _ -> job.Created

/// When a job not yet ready becomes ready.
let private dueAt (job: Job) =
    match job.Status with
    | Delayed until -> until
    | _ -> readySince job

let private expiresAt (job: Job) =
    match job.Origin with
    | Background ttl -> Some(job.Created + ttl.Ms)
    | Scheduled(ttl, at) -> Some(at + ttl.Ms)
    | Foreground _ -> None

/// Lease order: highest priority, then ready longest, then arrival.
let private leaseOrder (jobs: Job list) =
    jobs |> List.sortBy (fun j -> -(int64 j.Priority), readySince j, j.Seq)

let private isReady (job: Job) = job.Status = Ready

let private best (names: JobName list) (m: Model) =
    m.Jobs |> List.filter (fun j -> isReady j && List.contains j.Name names) |> leaseOrder |> List.tryHead

/// Everyone waiting on a job (result or run) gets `reply`, and stops waiting.
let private answerWaiters id reply acc =
    acc.M.Waits
    |> List.filter (fun w -> w.On = OnResult id || w.On = OnRun id)
    |> List.fold (fun acc w -> acc |> say w.Conn reply |> endWait w.Conn) acc

/// The job goes; whoever waits on it learns so.
let private drop id acc = acc |> answerWaiters id NotFound |> removeJob id

/// A job has just finished, at `at`: its waiters get the result; a run job is then removed.
let private settle (job: Job) outcome (at: Instant) acc =
    let acc = acc |> setJob { job with Status = Finished outcome } |> answerWaiters job.Id (ResultOf(job.Id, outcome))
    match job.Origin with
    | Foreground _ -> removeJob job.Id acc
    | _ when not outcome.Success -> acc |> withModel (fun m -> { m with FailedAt = m.FailedAt.Add(job.Id, at) })
    | _ -> acc

let private leaseTo conn (job: Job) counted (now: Instant) acc =
    let leased = { job with Attempts = job.Attempts + 1; Status = Leased(now + job.Ttr.Ms) }
    acc |> setJob leased |> say conn (if counted then LeaseCountedOf leased else LeaseOf leased)

/// While some waiting worker (earliest first) has a ready job among its names, it gets
/// the best of them.
let rec private dispatch now acc =
    let served =
        acc.M.Waits
        |> List.tryPick (fun w ->
            match w.On with
            | OnLease(names, counted) -> best names acc.M |> Option.map (fun job -> w.Conn, job, counted)
            | _ -> None)
    match served with
    | Some(conn, job, counted) -> acc |> endWait conn |> leaseTo conn job counted now |> dispatch now
    | None -> acc

/// A run's wait ran out: with its job leased it waits for that lease, otherwise it ends.
let private runWaitRunsOut conn id acc =
    match tryJob id acc.M with
    | Some { Status = Leased _ } ->
        acc
        |> withModel (fun m ->
            { m with Waits = m.Waits |> List.map (fun w -> if w.Conn = conn then { w with Until = None } else w) })
    | _ -> acc |> say conn Timeout |> endWait conn |> drop id

type private Alarm =
    | WaitRunsOut of ConnId
    | Wakes of Job
    | Expires of Job
    | LeaseRunsOut of Job
    | Occurs of Recurrence

/// Every timer, ordered: instant, then job timers in arrival order (wake, expiry, lease end),
/// then recurrences in the order of their numbers, then waits in start order: an
/// occurrence sees the jobs' timers of its instant done, and a wait ending at the instant
/// a job wakes, expires, is released or is added sees that happen first.
let private alarms (m: Model) =
    let waits =
        m.Waits
        |> List.indexed
        |> List.choose (fun (i, w) -> w.Until |> Option.map (fun at -> (at, 2, int64 i, 0), WaitRunsOut w.Conn))
    let jobs =
        m.Jobs
        |> List.collect (fun j ->
            [ match j.Status with
              | Waiting
              | Delayed _ -> (dueAt j, 0, j.Seq, 0), Wakes j
              | _ -> ()
              match expiresAt j with
              | Some at -> (at, 0, j.Seq, 1), Expires j
              | None -> ()
              match j.Status with
              | Leased until -> (until, 0, j.Seq, 2), LeaseRunsOut j
              | _ -> () ])
    let recurrences = m.Recurrences |> List.choose (fun r -> r.Next |> Option.map (fun at -> (at, 1, r.Seq, 0), Occurs r))
    waits @ jobs @ recurrences |> List.sortBy fst

let private arrive (job: Job) acc =
    acc |> withModel (fun m -> { m with Jobs = m.Jobs @ [ job ]; NextSeq = m.NextSeq + 1L })

let private withBackoff id (backoff: RetryDelay) =
    withModel (fun m -> if backoff.Ms = 0L<ms> then m else { m with Backoffs = m.Backoffs.Add(id, backoff) })

let private setRecurrence (r: Recurrence) =
    withModel (fun m -> { m with Recurrences = (m.Recurrences |> List.filter (fun o -> o.Spec.Key <> r.Spec.Key)) @ [ r ] })

/// Payload bytes of every job, and result bytes of the finished ones; payload and
/// expression bytes of every recurring definition.
let storedBytes (m: Model) =
    let jobs =
        m.Jobs
        |> List.sumBy (fun j ->
            j.Payload.LongLength
            + (match j.Status with
               | Finished o -> o.Data.LongLength
               | _ -> 0L))
    jobs + (m.Recurrences |> List.sumBy (fun r -> r.Spec.Payload.LongLength + int64 r.Spec.Cron.Token.Length))

/// An occurrence at `at`: a new job unless the definition skips overlaps and its last job
/// is unfinished, the occurrence's job exists, or its payload has no room under the
/// limit; the next occurrence comes after `now`.
let private occur (limits: Limits) (r: Recurrence) (at: Instant) (now: Instant) acc =
    let spec = r.Spec
    let id = Recurrence.occurrenceId spec.Key at
    let lastUnfinished =
        match spec.Overlap, r.Last with
        | Skip, Some last -> tryJob last acc.M |> Option.exists (isFinished >> not)
        | _ -> false
    let next = Cron.next now spec.Cron
    let noRoom = storedBytes acc.M + spec.Payload.LongLength > limits.MaxStoredBytes
    if lastUnfinished || noRoom || (tryJob id acc.M).IsSome then setRecurrence { r with Next = next } acc
    else
        let job =
            { Id = id; Name = spec.Name; Ttr = spec.Ttr; Priority = spec.Priority; MaxAttempts = spec.MaxAttempts
              MaxFails = spec.MaxFails; Payload = spec.Payload; Created = now; Origin = Background spec.Ttl
              Seq = acc.M.NextSeq; Attempts = 0; Fails = 0; Status = Ready }
        acc
        |> arrive job
        |> withBackoff id spec.Backoff
        |> setRecurrence { r with Next = next; Last = Some id }

let private fire limits now alarm acc =
    match alarm with
    | Occurs r -> occur limits r r.Next.Value now acc
    | WaitRunsOut conn ->
        match (waitOf conn acc.M).Value.On with
        | OnRun id -> runWaitRunsOut conn id acc
        | _ -> acc |> say conn Timeout |> endWait conn
    | Wakes job -> acc |> setJob { job with Status = Ready }
    | Expires job ->
        let evicted = if isFinished job then 0L else 1L
        acc |> drop job.Id |> withModel (fun m -> { m with Evicted = m.Evicted + evicted })
    | LeaseRunsOut job ->
        let until =
            match job.Status with
            | Leased until -> until
            | _ -> now
        let overdueOwner =
            match job.Origin with
            | Foreground owner ->
                match waitOf owner acc.M with
                | Some { On = OnRun id; Until = None } when id = job.Id -> Some owner
                | _ -> None
            | _ -> None
        match overdueOwner with
        | Some owner -> acc |> say owner Timeout |> endWait owner |> drop job.Id
        | None when job.Attempts < attemptLimit job -> acc |> setJob { job with Status = Ready }
        | None -> settle job { Success = false; Data = [||] } until acc

/// Fires, one at a time, whatever is due at or before `now`. Once the last job or
/// recurrence timer of an instant has fired, waiting workers are served from everything
/// ready by then.
let rec private fireDue limits now acc =
    match alarms acc.M with
    | ((at, kind, _, _), alarm) :: _ when at <= now ->
        let acc = fire limits now alarm acc
        let jobTimerLeftAt = alarms acc.M |> List.exists (fun ((t, k, _, _), _) -> t = at && k < 2)
        let acc = if kind < 2 && not jobTimerLeftAt then dispatch now acc else acc
        fireDue limits now acc
    | _ -> acc

let private newJob now (spec: NewJob) origin status (m: Model) : Job =
    { Id = spec.Id; Name = spec.Name; Ttr = spec.Ttr; Priority = spec.Priority
      MaxAttempts = spec.MaxAttempts; MaxFails = spec.MaxFails; Payload = spec.Payload
      Created = now; Origin = origin; Seq = m.NextSeq; Attempts = 0; Fails = 0; Status = status }

/// The names that have a ready, scheduled or leased unfinished job, or a waiting worker.
let private queueStats (m: Model) name : QueueStats =
    let count status = m.Jobs |> List.filter (fun j -> j.Name = name && status j.Status) |> List.length
    { Name = name
      Ready = count (fun s -> s = Ready)
      Scheduled = count (function Waiting | Delayed _ -> true | _ -> false)
      Leased = count (function Leased _ -> true | _ -> false)
      Workers =
        m.Waits
        |> List.filter (fun w ->
            match w.On with
            | OnLease(names, _) -> List.contains name names
            | _ -> false)
        |> List.length
      Failed = m.Jobs |> List.filter (fun j -> j.Name = name && m.FailedAt.ContainsKey j.Id) |> List.length }

let private exists (q: QueueStats) = q.Ready + q.Scheduled + q.Leased + q.Workers > 0

let private queues (m: Model) =
    let names =
        (m.Jobs |> List.map (fun j -> j.Name))
        @ (m.Waits |> List.collect (fun w -> match w.On with OnLease(ns, _) -> ns | _ -> []))
    names
    |> List.distinct
    |> List.sortWith (fun a b -> System.String.CompareOrdinal(a.Value, b.Value))
    |> List.map (queueStats m)
    |> List.filter exists

let private page (p: Page) items =
    items |> List.indexed |> List.filter (fun (i, _) -> int64 i >= int64 p.Offset) |> List.map snd |> List.truncate p.Limit

let private inspect (limits: Limits) (m: Model) inspection =
    let queue name = queues m |> List.tryFind (fun q -> q.Name = name)
    match inspection with
    | InspectJob id -> tryJob id m |> Option.map (fun j -> JobRecords [ j ]) |> Option.defaultValue NotFound
    | InspectJobs(name, p) ->
        match queue name with
        | Some _ -> m.Jobs |> List.filter (fun j -> j.Name = name && isReady j) |> leaseOrder |> page p |> JobRecords
        | None -> NotFound
    | InspectScheduledJobs(name, p) ->
        match queue name with
        | Some _ ->
            m.Jobs
            |> List.filter (fun j -> j.Name = name && (match j.Status with Waiting | Delayed _ -> true | _ -> false))
            |> List.sortBy (fun j -> dueAt j, j.Seq)
            |> page p
            |> JobRecords
        | None -> NotFound
    | InspectQueue name -> queue name |> Option.map (fun q -> QueueRecords [ q ]) |> Option.defaultValue NotFound
    | InspectQueues p -> queues m |> page p |> QueueRecords
    | InspectServer ->
        ServerRecord
            { ActiveClients = m.Clients.Length
              EvictedJobs = m.Evicted
              Started = m.Started
              Jobs = m.Jobs.Length
              Queues = (queues m).Length
              FailedJobs = m.FailedAt.Count
              StoredBytes = storedBytes m
              MaxStoredBytes = limits.MaxStoredBytes
              HostKeys = []
              Node = NodeStatus.standalone }
    | InspectFailedJobs(name, p) ->
        m.Jobs
        |> List.choose (fun j -> if j.Name = name then m.FailedAt.TryFind j.Id |> Option.map (fun at -> j, at) else None)
        |> List.sortBy (fun (j, at) -> -(int64 at), -j.Seq)
        |> page p
        |> List.map (fun (j, at) -> { Job = j; FailedAt = at })
        |> FailedRecords
    | InspectRecurring p ->
        m.Recurrences
        |> List.sortWith (fun a b -> System.String.CompareOrdinal(a.Spec.Key.Value, b.Spec.Key.Value))
        |> page p
        |> RecurrenceRecords

/// The wait of a back-off after a job's `fails`-th fail, for the host's `draw`: the
/// back-off doubled for each fail past the first, at most an hour, moved by
/// floor(draw * (2s + 1) / 2^32) - s where s is a fifth of it, and at most an hour.
let backoffDelay (backoff: RetryDelay) (fails: int) (draw: uint32) : int64<ms> =
    let hour = 3_600_000I
    let doubled = min hour (bigint (int64 backoff.Ms) * pown 2I (max 0 (fails - 1)))
    let spread = doubled / 5I
    let offset = (bigint draw * (2I * spread + 1I)) / pown 2I 32 - spread
    int64 (min hour (doubled + offset)) * 1L<ms>

/// Leases for a lease request, counted or not.
let private lease conn names (wait: WaitTimeout) counted now acc =
    match best names acc.M with
    | Some job -> leaseTo conn job counted now acc
    | None when wait.Ms = 0L<ms> -> say conn Timeout acc
    | None -> startWait conn (OnLease(names, counted)) (now + wait.Ms) acc

let private fail conn id data (retryIn: RetryDelay option) (draw: uint32) (now: Instant) acc =
    match tryJob id acc.M with
    | None -> say conn NotFound acc
    | Some job when isFinished job -> say conn (ClientError DuplicateResult) acc
    | Some job ->
        let failed = { job with Fails = job.Fails + 1 }
        if job.Fails + 1 < job.MaxFails.Value && job.Attempts < attemptLimit job then
            let delay =
                match retryIn, acc.M.Backoffs.TryFind id with
                | Some wait, _ -> wait.Ms
                | None, Some backoff -> backoffDelay backoff (job.Fails + 1) draw
                | None, None -> 0L<ms>
            // Never at or past its TTL's end.
            let wake =
                match expiresAt job with
                | Some expiry when now + delay >= expiry -> expiry - 1L<ms>
                | _ -> now + delay
            // Retried: back in its place, at once or after its wait; a scheduled job not
            // yet due stays scheduled.
            let status =
                match job.Status with
                | Waiting -> Waiting
                | _ when wake > now -> Delayed wake
                | Leased _
                | Delayed _ -> Ready
                | s -> s
            acc |> setJob { failed with Status = status } |> say conn Done |> dispatch now
        else
            acc |> say conn Done |> settle failed { Success = false; Data = data } now

/// A failed job back in its queue, as a job scheduled now with `ttl` (or the TTL it has left).
let private requeue (job: Job) (ttl: Ttl option) (now: Instant) acc =
    let ttl =
        match ttl with
        | Some ttl -> ttl
        | None -> Ttl.tryCreate ((expiresAt job).Value - now) |> Option.get
    let again = { job with Origin = Scheduled(ttl, now); Seq = acc.M.NextSeq; Attempts = 0; Fails = 0; Status = Ready }
    acc |> setJob again |> withModel (fun m -> { m with NextSeq = m.NextSeq + 1L; FailedAt = m.FailedAt.Remove job.Id })

let private command (limits: Limits) conn cmd (draw: uint32) (now: Instant) acc =
    let m = acc.M
    let live id = (tryJob id m).IsSome
    // A new job must fit under the limit with what is stored; nothing else is limited.
    let noRoom (payload: byte[]) = storedBytes m + payload.LongLength > limits.MaxStoredBytes
    let outOfMemory = ServerError $"Out of memory: stored payloads and results would exceed {limits.MaxStoredBytes} bytes"
    match cmd with
    | Add spec when live spec.Id -> say conn (ClientError DuplicateJob) acc
    | Add spec when noRoom spec.Payload -> say conn outOfMemory acc
    | Add spec ->
        acc
        |> arrive (newJob now spec (Background spec.Ttl) Ready m)
        |> withBackoff spec.Id spec.Backoff
        |> say conn Done
        |> dispatch now
    | Schedule(spec, _) when live spec.Id -> say conn (ClientError DuplicateJob) acc
    | Schedule(spec, at) when at + spec.Ttl.Ms <= now -> say conn (ClientError InvalidTime) acc
    | Schedule(spec, _) when noRoom spec.Payload -> say conn outOfMemory acc
    | Schedule(spec, at) ->
        let status = if at <= now then Ready else Waiting
        acc
        |> arrive (newJob now spec (Scheduled(spec.Ttl, at)) status m)
        |> withBackoff spec.Id spec.Backoff
        |> say conn Done
        |> dispatch now
    | Run spec when live spec.Id -> say conn (ClientError DuplicateJob) acc
    | Run spec when noRoom spec.Payload -> say conn outOfMemory acc
    | Run spec ->
        let job =
            { Id = spec.Id; Name = spec.Name; Ttr = spec.Ttr; Priority = spec.Priority
              MaxAttempts = Limit.zero; MaxFails = Limit.zero; Payload = spec.Payload
              Created = now; Origin = Foreground conn; Seq = m.NextSeq; Attempts = 0; Fails = 0; Status = Ready }
        let acc = acc |> arrive job |> startWait conn (OnRun spec.Id) (now + spec.Wait.Ms) |> dispatch now
        if spec.Wait.Ms = 0L<ms> then runWaitRunsOut conn spec.Id acc else acc
    | Result(id, wait) ->
        match tryJob id m with
        | None -> say conn NotFound acc
        | Some { Status = Finished outcome } -> say conn (ResultOf(id, outcome)) acc
        | Some _ when wait.Ms = 0L<ms> -> say conn Timeout acc
        | Some _ -> startWait conn (OnResult id) (now + wait.Ms) acc
    | Lease(names, wait) -> lease conn names wait false now acc
    | LeaseCounted(names, wait) -> lease conn names wait true now acc
    | Complete(id, data) ->
        match tryJob id m with
        | None -> say conn NotFound acc
        | Some job when isFinished job -> say conn (ClientError DuplicateResult) acc
        | Some job -> acc |> say conn Done |> settle job { Success = true; Data = data } now
    | Fail(id, data) -> fail conn id data None draw now acc
    | FailRetryIn(id, data, retryIn) -> fail conn id data (Some retryIn) draw now acc
    | Delete id ->
        match tryJob id m with
        | None -> say conn NotFound acc
        | Some _ -> acc |> say conn Done |> drop id
    | Inspect inspection -> say conn (inspect limits m inspection) acc
    | Touch(id, ttr) ->
        match tryJob id m with
        | Some({ Status = Leased _ } as job) ->
            let ttr = defaultArg ttr job.Ttr
            acc |> setJob { job with Status = Leased(now + ttr.Ms) } |> say conn Done
        | _ -> say conn NotFound acc
    | Requeue(id, ttl) ->
        match tryJob id m with
        | None -> say conn NotFound acc
        | Some({ Status = Finished { Success = false } } as job) -> acc |> requeue job ttl now |> say conn Done |> dispatch now
        | Some _ -> say conn (ClientError NotFailed) acc
    | RequeueFailed(name, ttl) ->
        let failed =
            m.Jobs
            |> List.choose (fun j -> if j.Name = name then m.FailedAt.TryFind j.Id |> Option.map (fun at -> j, at) else None)
            |> List.sortBy (fun (j, at) -> at, j.Seq)
            |> List.map fst
        failed
        |> List.fold (fun acc job -> requeue job ttl now acc) acc
        |> say conn (Requeued(name, failed.Length))
        |> dispatch now
    | Recur spec when storedBytes m + Recurrence.storedBytesOf spec > limits.MaxStoredBytes -> say conn outOfMemory acc
    | Recur spec ->
        let last = m.Recurrences |> List.tryFind (fun r -> r.Spec.Key = spec.Key) |> Option.bind (fun r -> r.Last)
        acc
        |> setRecurrence { Spec = spec; Seq = m.NextSeq; Created = now; Next = Cron.next now spec.Cron; Last = last }
        |> withModel (fun m -> { m with NextSeq = m.NextSeq + 1L })
        |> say conn Done
    | Unrecur key when m.Recurrences |> List.exists (fun r -> r.Spec.Key = key) ->
        acc
        |> withModel (fun m -> { m with Recurrences = m.Recurrences |> List.filter (fun r -> r.Spec.Key <> key) })
        |> say conn Done
    | Unrecur _ -> say conn NotFound acc
    | Cluster _ -> say conn (ClientError NotClustered) acc
    | Auth _ -> say conn Done acc

let private disconnect conn acc =
    let acc =
        match waitOf conn acc.M with
        | Some { On = OnRun id } -> acc |> endWait conn |> drop id
        | Some _ -> endWait conn acc
        | None -> acc
    acc |> withModel (fun m -> { m with Clients = m.Clients |> List.filter ((<>) conn) })

/// Handles one input at `now` within `limits`, with the host's random `draw` for it: the
/// model after it, and the replies in the order sent.
let step (limits: Limits) (now: Instant) (draw: uint32) (input: Input) (model: Model) : Model * (ConnId * Reply) list =
    let acc = fireDue limits now { M = model; Out = [] }
    let acc =
        match input with
        | Connect conn -> acc |> withModel (fun m -> { m with Clients = m.Clients @ [ conn ] })
        | Request(conn, cmd) -> command limits conn cmd draw now acc
        | Reject(conn, error) -> say conn (ClientError error) acc
        | Tick -> acc
        | Disconnect conn -> disconnect conn acc
    acc.M, List.rev acc.Out

/// A reply as a client sees it, with nothing of the server's internal numbering; times
/// to the millisecond (the wire shows whole seconds).
let render (reply: Reply) : string =
    let text (data: byte[]) = System.Text.Encoding.ASCII.GetString data
    let job (j: Job) =
        let ttl, time =
            match j.Origin with
            | Background ttl -> int64 ttl.Ms, ""
            | Scheduled(ttl, at) -> int64 ttl.Ms, sprintf " time=%d" (int64 at)
            | Foreground _ -> 0L, ""
        let state, retryAt =
            match j.Status with
            | Finished { Success = true } -> 1, ""
            | Finished _ -> 2, ""
            | Leased _ -> 4, ""
            | Delayed until -> 3, sprintf " retry-at=%d" (int64 until)
            | Waiting
            | Ready -> (if j.Attempts > 0 || j.Fails > 0 then 3 else 0), ""
        sprintf "{%O name=%O ttr=%d ttl=%d payload=%s max-attempts=%d attempts=%d max-fails=%d fails=%d priority=%d state=%d created=%d%s%s}"
            j.Id j.Name (int64 j.Ttr.Ms) ttl (text j.Payload) j.MaxAttempts.Value j.Attempts j.MaxFails.Value j.Fails
            j.Priority state (int64 j.Created) time retryAt
    let failed (f: FailedJob) =
        let result =
            match f.Job.Status with
            | Finished o -> text o.Data
            | _ -> ""
        sprintf "%s failed=%d result=%s" (job f.Job) (int64 f.FailedAt) result
    let recurrence (r: Recurrence) =
        let spec = r.Spec
        sprintf "{%O name=%O ttr=%d ttl=%d cron=%s payload=%s max-attempts=%d max-fails=%d priority=%d backoff=%d overlap=%A created=%d next=%A last=%A}"
            spec.Key spec.Name (int64 spec.Ttr.Ms) (int64 spec.Ttl.Ms) spec.Cron.Token (text spec.Payload)
            spec.MaxAttempts.Value spec.MaxFails.Value spec.Priority (int64 spec.Backoff.Ms) spec.Overlap (int64 r.Created)
            (r.Next |> Option.map int64) r.Last
    let queue (q: QueueStats) =
        sprintf "{%O ready=%d scheduled=%d leased=%d workers=%d failed=%d}" q.Name q.Ready q.Scheduled q.Leased q.Workers q.Failed
    match reply with
    | Done -> "+OK"
    | ResultOf(id, o) -> sprintf "+OK 1 result %O %d %s" id (if o.Success then 1 else 0) (text o.Data)
    | LeaseOf j -> sprintf "+OK 1 lease %O %O %d %s" j.Id j.Name (int64 j.Ttr.Ms) (text j.Payload)
    | LeaseCountedOf j ->
        sprintf "+OK 1 lease %O %O %d attempts=%d fails=%d %s" j.Id j.Name (int64 j.Ttr.Ms) j.Attempts j.Fails (text j.Payload)
    | FailedRecords fs -> sprintf "+OK %d failed %s" fs.Length (fs |> List.map failed |> String.concat " ")
    | RecurrenceRecords rs -> sprintf "+OK %d recurring %s" rs.Length (rs |> List.map recurrence |> String.concat " ")
    | Requeued(name, n) -> sprintf "+OK 1 requeued %O %d" name n
    | JobRecords js -> sprintf "+OK %d jobs %s" js.Length (js |> List.map job |> String.concat " ")
    | QueueRecords qs -> sprintf "+OK %d queues %s" qs.Length (qs |> List.map queue |> String.concat " ")
    | ServerRecord s ->
        sprintf "+OK 1 server active-clients=%d evicted-jobs=%d started=%d jobs=%d queues=%d stored-bytes=%d max-stored-bytes=%d failed-jobs=%d role=%s leader=%s term=%d commit-index=%d"
            s.ActiveClients s.EvictedJobs (int64 s.Started) s.Jobs s.Queues s.StoredBytes s.MaxStoredBytes s.FailedJobs
            s.Node.Role s.Node.Leader s.Node.Term s.Node.CommitIndex
    | MemberRecords ms ->
        sprintf "+OK %d members %s" ms.Length
            (ms |> List.map (fun m -> sprintf "{%O client=%s role=%s status=%s}" m.Address m.Client m.Role m.Status) |> String.concat " ")
    | ClientError e -> "-CLIENT-ERROR " + ClientError.text e
    | ServerError e -> "-SERVER-ERROR " + e
    | Timeout -> "-TIMEOUT"
    | NotFound -> "-NOT-FOUND"
