/// Random sessions driven through the decider and the reference model side by side.
module Workq.Properties.ModelProperties

open System.Text
open Expecto
open FsCheck
open FsCheck.FSharp
open Workq.Domain
open Workq.Properties.ReferenceModel

let t0 : Instant = 1_800_000_000_000L<ms>

let private ids =
    [| "6ba7b810-9dad-41d1-80b4-000000000000"
       "6ba7b810-9dad-41d1-80b4-000000000001"
       "01890a5d-ac96-774b-bcce-b302099a8057"
       "c232ab00-9414-11ec-b3c8-9e6bdeced846" |]
    |> Array.map (JobId.tryParse >> Option.get)

let private names = [| "a"; "b" |] |> Array.map (JobName.tryCreate >> Option.get)

/// Recurring definitions' keys, and their expressions: every second, every other second,
/// every minute.
let private keys = [| "r1"; "r2" |] |> Array.map (JobName.tryCreate >> Option.get)
let private crons = [| "*_*_*_*_*_*"; "*/2_*_*_*_*_*"; "0_*_*_*_*_*" |] |> Array.map (Cron.tryParse >> Option.get)

/// A job index past the fixed ids stands for a job the server holds beyond them (an
/// occurrence of a recurring definition), found when the command is sent.
let private heldJobs = 3

/// A command with small indexes and relative times, so that a session reads well and
/// stays valid when shrunk.
type Cmd =
    | CAdd of job: int * name: int * ttr: int * ttl: int * priority: int * maxAttempts: int * maxFails: int * backoff: int
    /// `inMs`: the schedule time relative to the instant the command is sent.
    | CSchedule of
        job: int * name: int * ttr: int * ttl: int * inMs: int * priority: int * maxAttempts: int * maxFails: int * backoff: int
    | CRun of job: int * name: int * ttr: int * wait: int * priority: int
    | CResult of job: int * wait: int
    | CLease of names: int list * wait: int * counted: bool
    | CComplete of job: int * result: int
    | CFail of job: int * result: int * retryIn: int option
    | CDelete of job: int
    | CTouch of job: int * ttr: int option
    | CRequeue of job: int * ttl: int option
    | CRequeueFailed of name: int * ttl: int option
    | CRecur of key: int * name: int * ttr: int * ttl: int * cron: int * skip: bool * maxFails: int * backoff: int
    | CUnrecur of key: int
    | CInspectJob of job: int
    | CInspectJobs of name: int * offset: int * limit: int
    | CInspectScheduled of name: int * offset: int * limit: int
    | CInspectQueue of name: int
    | CInspectQueues of offset: int * limit: int
    | CInspectServer
    | CInspectFailed of name: int * offset: int * limit: int
    | CInspectRecurring of offset: int * limit: int

type Act =
    | Open
    | Close
    | Send of Cmd
    | Refuse of ClientError
    | Pause

/// `Delay` ms after the previous step, `Act` by a client: `Pick` chooses among those able
/// to act (connected, and not blocked for a send), modulo their number. `Draw` is the
/// host's random draw for the step's input.
type Step = { Delay: int; Pick: int; Act: Act; Draw: uint32 }

let private describeCmd cmd =
    let n i = names.[i].Value
    let opt what (v: int option) = v |> Option.map (sprintf " %s=%d" what) |> Option.defaultValue ""
    match cmd with
    | CAdd(j, q, ttr, ttl, p, ma, mf, b) ->
        sprintf "add j%d %s ttr=%d ttl=%d prio=%d max-att=%d max-fails=%d backoff=%d" j (n q) ttr ttl p ma mf b
    | CSchedule(j, q, ttr, ttl, at, p, ma, mf, b) ->
        sprintf "schedule j%d %s ttr=%d ttl=%d at=now%+d prio=%d max-att=%d max-fails=%d backoff=%d" j (n q) ttr ttl at p ma mf b
    | CRun(j, q, ttr, w, p) -> sprintf "run j%d %s ttr=%d wait=%d prio=%d" j (n q) ttr w p
    | CResult(j, w) -> sprintf "result j%d wait=%d" j w
    | CLease(qs, w, counted) ->
        sprintf "lease %s wait=%d%s" (qs |> List.map n |> String.concat " ") w (if counted then " counts" else "")
    | CComplete(j, r) -> sprintf "complete j%d r%d" j r
    | CFail(j, r, retryIn) -> sprintf "fail j%d r%d%s" j r (opt "retry-in" retryIn)
    | CDelete j -> sprintf "delete j%d" j
    | CTouch(j, ttr) -> sprintf "touch j%d%s" j (opt "ttr" ttr)
    | CRequeue(j, ttl) -> sprintf "requeue j%d%s" j (opt "ttl" ttl)
    | CRequeueFailed(q, ttl) -> sprintf "requeue-failed %s%s" (n q) (opt "ttl" ttl)
    | CRecur(k, q, ttr, ttl, c, skip, mf, b) ->
        sprintf "recur %s %s ttr=%d ttl=%d cron=%s%s max-fails=%d backoff=%d" keys.[k].Value (n q) ttr ttl crons.[c].Token
            (if skip then " skip" else "") mf b
    | CUnrecur k -> sprintf "unrecur %s" keys.[k].Value
    | CInspectFailed(q, o, l) -> sprintf "inspect failed-jobs %s %d %d" (n q) o l
    | CInspectRecurring(o, l) -> sprintf "inspect recurring %d %d" o l
    | CInspectJob j -> sprintf "inspect job j%d" j
    | CInspectJobs(q, o, l) -> sprintf "inspect jobs %s %d %d" (n q) o l
    | CInspectScheduled(q, o, l) -> sprintf "inspect scheduled-jobs %s %d %d" (n q) o l
    | CInspectQueue q -> sprintf "inspect queue %s" (n q)
    | CInspectQueues(o, l) -> sprintf "inspect queues %d %d" o l
    | CInspectServer -> "inspect server"

let private describeAct act =
    match act with
    | Open -> "connect"
    | Close -> "disconnect"
    | Send cmd -> describeCmd cmd
    | Refuse e -> sprintf "reject %s" (ClientError.text e)
    | Pause -> "tick"

let private describe (s: Step) = sprintf "+%dms #%d %s draw=%d" s.Delay s.Pick (describeAct s.Act) s.Draw

/// A session, printed one step a line, under a limit on stored bytes (None: no limit).
[<StructuredFormatDisplay("{Text}")>]
type Session =
    { Steps: Step list
      MaxStoredBytes: int64 option }
    member this.Limits =
        match this.MaxStoredBytes with
        | Some bytes -> { MaxStoredBytes = bytes }
        | None -> Limits.none
    member this.Text =
        let limit = this.MaxStoredBytes |> Option.map (sprintf "max-stored-bytes %d") |> Option.defaultValue "no limit"
        this.Steps |> List.map describe |> String.concat "\n  " |> sprintf "\n  %s\n  %s" limit

let private ms (n: int) = int64 n * 1L<ms>
let private bytes (s: string) = Encoding.ASCII.GetBytes s

let private ttrOf n = Ttr.tryCreate (ms n) |> Option.get
let private ttlOf n = Ttl.tryCreate (ms n) |> Option.get
let private delayOf n = RetryDelay.tryCreate (ms n) |> Option.get

let private newJob (id: JobId) j q ttr ttl p ma mf b : NewJob =
    { Id = id
      Name = names.[q]
      Ttr = ttrOf ttr
      Ttl = ttlOf ttl
      Priority = p
      MaxAttempts = Limit.tryCreate ma |> Option.get
      MaxFails = Limit.tryCreate mf |> Option.get
      Backoff = delayOf b
      Payload = bytes (sprintf "p%d" j) }

let private waitOf w = WaitTimeout.tryCreate (ms w) |> Option.get
let private pageOf o l = { Offset = uint32 o; Limit = l }

/// The id a job index stands for when the command is sent: a fixed id, or one of the jobs
/// the model holds beyond them in arrival order (a fixed id when there are none).
let private idOf (model: Model) j =
    if j < ids.Length then ids.[j]
    else
        match model.Jobs |> List.filter (fun job -> not (Array.contains job.Id ids)) |> List.sortBy _.Seq with
        | [] -> ids.[j % ids.Length]
        | held -> held.[(j - ids.Length) % held.Length].Id

let private toCommand (model: Model) (now: Instant) cmd =
    let id = idOf model
    match cmd with
    | CAdd(j, q, ttr, ttl, p, ma, mf, b) -> Add(newJob (id j) j q ttr ttl p ma mf b)
    | CSchedule(j, q, ttr, ttl, at, p, ma, mf, b) -> Schedule(newJob (id j) j q ttr ttl p ma mf b, now + ms at)
    | CRun(j, q, ttr, w, p) ->
        Run { Id = id j; Name = names.[q]; Ttr = ttrOf ttr; Wait = waitOf w; Priority = p; Payload = bytes (sprintf "run%d" j) }
    | CResult(j, w) -> Result(id j, waitOf w)
    | CLease(qs, w, false) -> Lease(qs |> List.map (fun q -> names.[q]), waitOf w)
    | CLease(qs, w, true) -> LeaseCounted(qs |> List.map (fun q -> names.[q]), waitOf w)
    | CComplete(j, r) -> Complete(id j, bytes (sprintf "r%d" r))
    | CFail(j, r, None) -> Fail(id j, bytes (sprintf "f%d" r))
    | CFail(j, r, Some retryIn) -> FailRetryIn(id j, bytes (sprintf "f%d" r), delayOf retryIn)
    | CDelete j -> Delete(id j)
    | CTouch(j, ttr) -> Touch(id j, ttr |> Option.map ttrOf)
    | CRequeue(j, ttl) -> Requeue(id j, ttl |> Option.map ttlOf)
    | CRequeueFailed(q, ttl) -> RequeueFailed(names.[q], ttl |> Option.map ttlOf)
    | CRecur(k, q, ttr, ttl, c, skip, mf, b) ->
        Recur
            { Key = keys.[k]; Name = names.[q]; Ttr = ttrOf ttr; Ttl = ttlOf ttl; Cron = crons.[c]; Priority = 0
              MaxAttempts = Limit.zero; MaxFails = Limit.tryCreate mf |> Option.get; Backoff = delayOf b
              Overlap = (if skip then Skip else Allow); Payload = bytes (sprintf "every %d" k) }
    | CUnrecur k -> Unrecur keys.[k]
    | CInspectJob j -> Inspect(InspectJob(id j))
    | CInspectJobs(q, o, l) -> Inspect(InspectJobs(names.[q], pageOf o l))
    | CInspectScheduled(q, o, l) -> Inspect(InspectScheduledJobs(names.[q], pageOf o l))
    | CInspectQueue q -> Inspect(InspectQueue names.[q])
    | CInspectQueues(o, l) -> Inspect(InspectQueues(pageOf o l))
    | CInspectServer -> Inspect InspectServer
    | CInspectFailed(q, o, l) -> Inspect(InspectFailedJobs(names.[q], pageOf o l))
    | CInspectRecurring(o, l) -> Inspect(InspectRecurring(pageOf o l))

// ---- Generators ----

let private genJob = Gen.frequency [ 4, Gen.choose (0, ids.Length - 1); 1, Gen.choose (ids.Length, ids.Length + heldJobs - 1) ]
let private genName = Gen.choose (0, names.Length - 1)
/// Half the sessions run on a coarse clock: every delay, duration and offset a multiple
/// of 5 ms, so that timers often fall due at the same instant.
let private grained coarse lo hi =
    if coarse then Gen.choose (lo / 5, hi / 5) |> Gen.map ((*) 5) else Gen.choose (lo, hi)

let private genDuration coarse hi = grained coarse 5 hi |> Gen.map (max 1)
let private genWait coarse = Gen.frequency [ 1, Gen.constant 0; 4, genDuration coarse 50 ]
let private genPriority = Gen.elements [ -1; 0; 0; 0; 1; 5 ]
let private genLimit = Gen.frequency [ 2, Gen.constant 0; 3, Gen.choose (1, 3) ]
let private genBackoff coarse = Gen.frequency [ 3, Gen.constant 0; 2, grained coarse 1 40 ]
let private genOptional (g: Gen<int>) = Gen.frequency [ 2, Gen.constant None; 1, g |> Gen.map Some ]
let private genOffset = Gen.frequency [ 3, Gen.constant 0; 1, Gen.choose (1, 3) ]

let private genCmd coarse =
    gen {
        let! j = genJob
        let! q = genName
        let! ttr = genDuration coarse 40
        let! ttl = Gen.frequency [ 1, genDuration coarse 20; 4, genDuration coarse 300 ]
        let! p = genPriority
        let! ma = genLimit
        let! mf = genLimit
        let! w = genWait coarse
        let! at = grained coarse -30 40
        let! r = Gen.choose (0, 9)
        let! o = genOffset
        let! l = Gen.choose (1, 3)
        let! qs = Gen.elements [ [ 0 ]; [ 1 ]; [ 0; 1 ]; [ 1; 0 ]; [ 0; 0 ] ]
        let! b = genBackoff coarse
        let! counted = Gen.elements [ false; false; true ]
        let! retryIn = genOptional (grained coarse 0 40)
        let! newTtr = genOptional (genDuration coarse 40)
        let! newTtl = genOptional (genDuration coarse 300)
        let! k = Gen.choose (0, keys.Length - 1)
        let! c = Gen.frequency [ 3, Gen.constant 0; 2, Gen.constant 1; 1, Gen.constant 2 ]
        let! recurTtl = Gen.frequency [ 1, genDuration coarse 300; 2, grained coarse 500 3000 ]
        let! skip = Gen.elements [ false; true ]
        return!
            Gen.frequency
                [ 9, Gen.constant (CAdd(j, q, ttr, ttl, p, ma, mf, b))
                  5, Gen.constant (CSchedule(j, q, ttr, ttl, at, p, ma, mf, b))
                  3, Gen.constant (CRun(j, q, ttr, w, p))
                  4, Gen.constant (CResult(j, w))
                  6, Gen.constant (CLease(qs, w, counted))
                  5, Gen.constant (CComplete(j, r))
                  6, Gen.constant (CFail(j, r, retryIn))
                  2, Gen.constant (CDelete j)
                  2, Gen.constant (CTouch(j, newTtr))
                  2, Gen.constant (CRequeue(j, newTtl))
                  1, Gen.constant (CRequeueFailed(q, newTtl))
                  2, Gen.constant (CRecur(k, q, ttr, recurTtl, c, skip, mf, b))
                  1, Gen.constant (CUnrecur k)
                  2, Gen.constant (CInspectJob j)
                  1, Gen.constant (CInspectJobs(q, o, l))
                  1, Gen.constant (CInspectScheduled(q, o, l))
                  1, Gen.constant (CInspectQueue q)
                  1, Gen.constant (CInspectQueues(o, l))
                  1, Gen.constant CInspectServer
                  1, Gen.constant (CInspectFailed(q, o, l))
                  1, Gen.constant (CInspectRecurring(o, l)) ]
    }

let private genAct coarse =
    Gen.frequency
        [ 3, Gen.constant Open
          1, Gen.constant Close
          1, Gen.constant Pause
          1, Gen.elements [ InvalidArgs; InvalidId; UnknownCommand ] |> Gen.map Refuse
          24, genCmd coarse |> Gen.map Send ]

/// Now and then a long pause, so that recurring definitions come round (and skip
/// occurrences that fall in it) and long back-offs run out.
let private genDelay coarse =
    Gen.frequency [ 10, Gen.constant 0; 8, grained coarse 1 10; 4, grained coarse 11 40; 1, grained coarse 300 2500 ]

let private genDraw =
    Gen.frequency
        [ 1, Gen.elements [ 0u; System.UInt32.MaxValue; 0x8000_0000u ]
          3, Gen.choose64 (0L, int64 System.UInt32.MaxValue) |> Gen.map uint32 ]

let private genStep coarse =
    gen {
        let! delay = genDelay coarse
        let! pick = Gen.choose (0, 3)
        let! act = genAct coarse
        let! draw = genDraw
        return { Delay = delay; Pick = pick; Act = act; Draw = draw }
    }

/// Payloads and results are 2 to 4 bytes: a limit of a few dozen is reached often.
let private genStoredLimit = Gen.frequency [ 2, Gen.constant None; 3, Gen.choose (0, 24) |> Gen.map (int64 >> Some) ]

let private genSession =
    gen {
        let! opening = Gen.choose (1, 3)
        let! n = Gen.choose (1, 60)
        let! coarse = Gen.elements [ false; true ]
        let! steps = Gen.listOfLength n (genStep coarse)
        let! limit = genStoredLimit
        let opens = List.replicate opening { Delay = 0; Pick = 0; Act = Open; Draw = 0u }
        return { Steps = opens @ steps; MaxStoredBytes = limit }
    }

/// Shrinks by dropping runs of steps (a dropped step's delay passes to the next, so the
/// steps left keep their instants), then by shortening delays.
let private shrinkSession (s: Session) =
    let steps = Array.ofList s.Steps
    let n = steps.Length
    let without start size =
        let kept = [ yield! steps.[.. start - 1]; yield! steps.[start + size ..] ]
        let lost = steps.[start .. start + size - 1] |> Array.sumBy (fun s -> s.Delay)
        match List.splitAt start kept with
        | before, next :: after -> before @ ({ next with Delay = next.Delay + lost } :: after)
        | before, [] -> before
    seq {
        for size in [ n / 2; n / 4; 4; 2; 1 ] |> List.distinct |> List.filter (fun k -> k >= 1 && k < n) do
            for start in 0 .. size .. n - size do
                yield { s with Steps = without start size }
        for i in 0 .. n - 1 do
            if steps.[i].Delay > 0 then
                yield { s with Steps = steps |> Array.updateAt i { steps.[i] with Delay = steps.[i].Delay / 2 } |> List.ofArray }
        if s.MaxStoredBytes.IsSome then
            yield { s with MaxStoredBytes = None }
    }

let private arbSession = Arb.fromGenShrink (genSession, shrinkSession)

// ---- Driver ----

/// Both servers and what the clients know: who is connected, who is blocked.
type private Driver =
    { Decider: State
      Model: Model
      Now: Instant
      /// In connection order.
      Conns: ConnId list
      NextConn: ConnId
      Blocked: Set<ConnId>
      /// What the command log holds, newest first.
      Logged: JobEvent list
      /// The same, by decision (those that logged anything), newest first: an engine
      /// batch, and so a cluster's entry, holds whole decisions.
      Decisions: JobEvent list list
      Trace: string list }

let private maxClients = 4

/// The input a step makes, following the host's rules: a client sends only while
/// connected and not blocked. A step no client can make is a plain tick.
let private inputOf (d: Driver) now (s: Step) =
    let pick conns =
        match conns with
        | [] -> None
        | _ -> Some(List.item (s.Pick % List.length conns) conns)
    let free = d.Conns |> List.filter (fun c -> not (d.Blocked.Contains c))
    match s.Act with
    | Open when d.Conns.Length < maxClients -> Connect d.NextConn
    | Close -> pick d.Conns |> Option.map Disconnect |> Option.defaultValue Tick
    | Send cmd -> pick free |> Option.map (fun c -> Request(c, toCommand d.Model now cmd)) |> Option.defaultValue Tick
    | Refuse e -> pick free |> Option.map (fun c -> Reject(c, e)) |> Option.defaultValue Tick
    | Open
    | Pause -> Tick

let private describeInput now (s: Step) input =
    let at = sprintf "t0+%-3d" (int64 (now - t0))
    let who c = sprintf "c%d" c
    match input with
    | Connect c -> sprintf "%s %s connect" at (who c)
    | Disconnect c -> sprintf "%s %s disconnect" at (who c)
    | Request(c, _)
    | Reject(c, _) -> sprintf "%s %s %s" at (who c) (describeAct s.Act)
    | Tick -> sprintf "%s tick" at

/// A reply as compared: its wire bytes, CR and LF escaped, and the model's finer
/// rendering (times to the millisecond, every job field).
type private Seen = { Text: string; Wire: string }

let private seen reply =
    let wire = ReplyWriter.toBytes reply |> Encoding.ASCII.GetString
    { Text = render reply; Wire = wire.Replace("\r", "\\r").Replace("\n", "\\n") }

/// The replies of one input per connection, in the order sent.
let private byConn (replies: (ConnId * Reply) list) =
    replies |> List.groupBy fst |> List.map (fun (c, rs) -> c, rs |> List.map (snd >> seen)) |> Map.ofList

let private showReplies (m: Map<ConnId, Seen list>) =
    if m.IsEmpty then "    (none)"
    else
        m
        |> Map.toList
        |> List.collect (fun (c, rs) -> rs |> List.map (fun r -> sprintf "    c%d <- %s\n          wire: %s" c r.Text r.Wire))
        |> String.concat "\n"

type private Check =
    /// Replies per connection agree with the model.
    | Replies
    /// Folding the decision's events over the old state gives its state.
    | Evolution
    /// Under the session's limit, every input but a new job is decided as with no limit.
    | LimitsOnlyRefuseNewJobs
    /// Only the final state and the session's log are compared (see `durability`).
    | Silent

/// Runs a session; Error carries a readable account of the first failure.
let private runSession (check: Check) (session: Session) : Result<Driver, string> =
    let limits = session.Limits
    // What an unlimited server would decide: the same but for the limit it shows.
    let unlimited draw now input state =
        let d = Decide.decideWith Limits.none (Jitter.ofDraw draw) now input state
        let shown (o: Outbound) =
            match o.Reply with
            | ServerRecord s -> { o with Reply = ServerRecord { s with MaxStoredBytes = limits.MaxStoredBytes } }
            | _ -> o
        { d with Replies = List.map shown d.Replies }
    let isNewJob input =
        match input with
        | Request(_, (Add _ | Schedule _ | Run _ | Recur _)) -> true
        | _ -> false
    // An occurrence adds a new job, which the limit may leave out, before any input.
    let fires (d: Decision) =
        d.Events |> List.exists (function Logged(RecurrenceFired _) -> true | _ -> false)
    let rec go (d: Driver) steps =
        match steps with
        | [] -> Ok d
        | s :: rest ->
            let now = d.Now + ms s.Delay
            let input = inputOf d now s
            let line = describeInput now s input
            let trace = line :: d.Trace
            let fail (why: string) =
                Error(sprintf "%s\nInputs:\n  %s" why (trace |> List.rev |> String.concat "\n  "))
            match (try Choice1Of2(Decide.decideWith limits (Jitter.ofDraw s.Draw) now input d.Decider) with e -> Choice2Of2 e) with
            | Choice2Of2 e -> fail (sprintf "The decider threw on the last input: %O" e)
            | Choice1Of2 decision ->
                let model, expected = ReferenceModel.step limits now s.Draw input d.Model
                let actual = decision.Replies |> List.map (fun o -> o.To, o.Reply)
                let expectedBy, actualBy = byConn expected, byConn actual
                let evolved = lazy (try Ok(List.fold Evolve.apply d.Decider decision.Events) with e -> Error e)
                match check with
                | Replies when expectedBy <> actualBy ->
                    fail (sprintf "Replies differ on the last input.\n  expected (model):\n%s\n  actual (decider):\n%s"
                            (showReplies expectedBy) (showReplies actualBy))
                | Evolution when (match evolved.Value with Ok st -> st <> decision.State | Error _ -> true) ->
                    let detail =
                        match evolved.Value with
                        | Error e -> sprintf "Evolve threw: %O" e
                        | Ok st -> sprintf "folded:\n%A\ndecided:\n%A\nevents:\n%A" st decision.State decision.Events
                    fail (sprintf "Folding the events does not give the decided state.\n%s" detail)
                | LimitsOnlyRefuseNewJobs when
                    not (isNewJob input)
                    && (let free = unlimited s.Draw now input d.Decider in not (fires free) && free <> decision)
                    ->
                    let free = unlimited s.Draw now input d.Decider
                    fail (sprintf "The limit changed a decision that is not a new job.\n  limited:\n%A\n  unlimited:\n%A"
                            (decision.Replies, decision.Events) (free.Replies, free.Events))
                | _ ->
                    // What the clients see: the decider's replies (the same as the model's
                    // when they are compared).
                    let answered = actual |> List.map fst |> Set.ofList
                    let blocked =
                        match input with
                        | Request(c, cmd) when Command.mayBlock cmd && not (answered.Contains c) -> Set.add c (d.Blocked - answered)
                        | Disconnect c -> (d.Blocked - answered).Remove c
                        | _ -> d.Blocked - answered
                    let conns, next =
                        match input with
                        | Connect c -> d.Conns @ [ c ], d.NextConn + 1L
                        | Disconnect c -> List.filter ((<>) c) d.Conns, d.NextConn
                        | _ -> d.Conns, d.NextConn
                    let decided = decision.Events |> List.choose Event.logged
                    let logged = List.rev decided @ d.Logged
                    let decisions = if decided.IsEmpty then d.Decisions else decided :: d.Decisions
                    go { Decider = decision.State; Model = model; Now = now; Conns = conns; NextConn = next
                         Blocked = blocked; Logged = logged; Decisions = decisions; Trace = trace } rest
    go { Decider = State.initial t0; Model = ReferenceModel.initial t0; Now = t0; Conns = []
         NextConn = 1L; Blocked = Set.empty; Logged = []; Decisions = []; Trace = [] } session.Steps

let private property check =
    Prop.forAll arbSession (fun session ->
        match runSession check session with
        | Ok _ -> Prop.ofTestable true
        | Error why -> Prop.ofTestable false |> Prop.label why)

/// What a restart must bring back of a state: its background and scheduled jobs, placed
/// in their queues with their timers, back-offs and failures, its recurring definitions,
/// and the evicted count; no connections, waits or run jobs. (The next arrival number may
/// differ: run jobs use numbers too.)
let private durable (state: State) =
    let jobs =
        CommandLog.Snapshot.durableJobs state
        |> List.fold
            (fun s job -> Evolve.restore job (State.backoffOf job.Id state) (FailedJobs.failedAt job.Id state.Failed) s)
            (State.initial state.Started)
    let rebuilt = state.Recurrences |> Map.fold (fun s _ r -> Evolve.applyJob s (RecurrenceSet r)) jobs
    { rebuilt with EvictedJobs = state.EvictedJobs; NextSeq = 0L }

/// The session's log written as a segment, read back and replayed; and a snapshot of
/// the live state read back.
let private durability =
    Prop.forAll arbSession (fun session ->
        match runSession Silent session with
        | Error why -> Prop.ofTestable false |> Prop.label why
        | Ok d ->
            let bytes = CommandLogProperties.segmentOf (List.rev d.Logged)
            let contents = CommandLog.Segment.read bytes bytes.Length
            let replayed = contents.Events |> List.fold Evolve.applyJob (State.initial t0)
            let out = System.Buffers.ArrayBufferWriter<byte>()
            CommandLog.Snapshot.write out d.Decider
            let snapshot = CommandLog.Snapshot.read t0 (out.WrittenSpan.ToArray()) out.WrittenCount
            let live = durable d.Decider
            let bound = CommandLog.Snapshot.maxSize d.Decider
            [ contents.Damage = None, lazy "the log does not read back whole"
              int64 out.WrittenCount <= bound,
              lazy (sprintf "a snapshot of %d bytes, over the bound of %d that the log's reserve is sized by" out.WrittenCount bound)
              { replayed with NextSeq = 0L } = live, lazy (sprintf "replay(log) <> live state\nreplayed:\n%A\nlive:\n%A" replayed live)
              Result.map (fun (s: State) -> { s with NextSeq = 0L }) snapshot = Ok live, lazy "a snapshot read back <> live state" ]
            |> List.tryFind (fst >> not)
            |> function
                | None -> Prop.ofTestable true
                | Some(_, why) -> Prop.ofTestable false |> Prop.label why.Value)

/// A session cut into a cluster's entries: the sizes of its batches (each at least one
/// decision that logged events; the last takes the rest) and the entry after which a
/// member took a snapshot.
type private Replicated = { Session: Session; Sizes: int list; SnapshotAfter: int }

let private arbReplicated =
    let gen =
        gen {
            let! session = genSession
            let! sizes = Gen.listOf (Gen.choose (1, 6))
            let! snapshotAfter = Gen.choose (0, 40)
            return { Session = session; Sizes = sizes; SnapshotAfter = snapshotAfter }
        }
    let shrink r =
        seq {
            for session in shrinkSession r.Session -> { r with Session = session }
            if not r.Sizes.IsEmpty then yield { r with Sizes = List.tail r.Sizes }
        }
    Arb.fromGenShrink (gen, shrink)

/// Groups `decisions` (oldest first) into entries of the given sizes, the last with what
/// is left: each entry the events of its decisions, in order.
let rec private entries (sizes: int list) (decisions: JobEvent list list) =
    match sizes, decisions with
    | _, [] -> []
    | [], rest -> [ List.concat rest ]
    | size :: _, rest when size >= rest.Length -> [ List.concat rest ]
    | size :: sizes, rest -> List.concat (List.take size rest) :: entries sizes (List.skip size rest)

let private entryBytes (events: JobEvent list) =
    let out = System.Buffers.ArrayBufferWriter<byte>()
    CommandLog.Batch.write out events
    out.WrittenSpan.ToArray()

/// A member's state from committed entries: each entry folded as a member folds it
/// (its bytes decoded and applied), from `state` and the latest instant seen so far.
let private applyEntries (start: CommandLog.Batch.Applied) (entries: byte[] list) =
    entries
    |> List.fold
        (fun (applied: Result<CommandLog.Batch.Applied, string>) bytes ->
            applied
            |> Result.bind (fun a ->
                CommandLog.Batch.apply a.State a.Latest bytes bytes.Length
                |> Result.mapError (sprintf "an entry does not read back: damage at %d")))
        (Ok start)

/// For any session cut into entries of whole decisions in any way: a member that applies
/// every entry, and one that starts empty, installs a snapshot taken after some entry and
/// applies the rest, both hold the state that replaying the events from scratch gives,
/// and the leader's durable state; and
/// both know the latest instant the events carry, which a new leader's clock must not go
/// back before.
let private replication =
    Prop.forAll arbReplicated (fun r ->
        match runSession Silent r.Session with
        | Error why -> Prop.ofTestable false |> Prop.label why
        | Ok d ->
            let events = List.rev d.Logged
            let batches = entries r.Sizes (List.rev d.Decisions) |> List.map entryBytes
            let start = { CommandLog.Batch.Applied.State = State.initial t0; CommandLog.Batch.Applied.Latest = t0 }
            let replayed = events |> List.fold Evolve.applyJob (State.initial t0)
            let latest = events |> List.fold (fun l e -> max l (JobEvent.instant e)) t0
            let whole = applyEntries start batches
            // A member snapshots one entry short of the last event entry, so that the log
            // always holds an entry with the latest instant: each decision's events carry an
            // instant later than any before (what it decides happens at its now; a timer it
            // fires ran out after the decision before).
            let cut = max 0 (min r.SnapshotAfter (batches.Length - 1))
            let fromSnapshot =
                applyEntries start (List.take cut batches)
                |> Result.bind (fun before ->
                    let out = System.Buffers.ArrayBufferWriter<byte>()
                    CommandLog.Snapshot.write out before.State
                    CommandLog.Snapshot.read t0 (out.WrittenSpan.ToArray()) out.WrittenCount
                    |> Result.mapError (sprintf "the snapshot does not read back: %A")
                    |> Result.bind (fun installed ->
                        // Installed by a member with an empty directory: it knows no instant yet.
                        applyEntries { State = installed; Latest = t0 } (List.skip cut batches)))
            let live = durable d.Decider
            let same (what: string) (applied: Result<CommandLog.Batch.Applied, string>) =
                match applied with
                | Error why -> Some $"{what}: {why}"
                | Ok a when durable a.State <> live ->
                    Some(sprintf "%s <> the leader's durable state\n%s:\n%A\nleader:\n%A" what what (durable a.State) live)
                | Ok a when durable a.State <> durable replayed -> Some $"{what} <> replaying the events"
                | Ok a when a.Latest <> latest -> Some $"{what} knows the latest instant as {a.Latest}, the events carry {latest}"
                | Ok _ -> None
            match same "applying every entry" whole |> Option.orElse (same $"a snapshot after entry {cut}, then the rest" fromSnapshot) with
            | None -> Prop.ofTestable true
            | Some why -> Prop.ofTestable false |> Prop.label why)

let private config = { FsCheckConfig.defaultConfig with maxTest = 500 }

/// Fixed sessions: a difference found once, and one too long to be generated.
let private examples =
    let step delay pick act = { Delay = delay; Pick = pick; Act = act; Draw = 0x8000_0000u }
    [ "a lease's end and a scheduled job's wake at the same instant: arrival order decides",
      [ step 0 0 Open
        step 0 0 (Send(CAdd(0, 0, 27, 195, 0, 0, 0, 0)))
        step 0 0 (Send(CLease([ 0 ], 49, false)))
        step 4 0 Open
        step 1 1 (Send(CLease([ 0; 1 ], 40, false)))
        step 13 0 (Send(CSchedule(1, 0, 11, 20, 9, 0, 0, 0, 0)))
        step 14 0 Pause ]
      // Too long for random sessions: 255 leases that each run out, then the job fails.
      "max-attempts 0 stops at the 255-attempt cap",
      [ step 0 0 Open
        step 0 0 Open
        step 0 0 (Send(CAdd(0, 0, 1, 1000, 0, 0, 0, 0)))
        step 0 1 (Send(CResult(0, 1000)))
        yield! List.replicate 256 (step 1 0 (Send(CLease([ 0 ], 0, false))))
        step 0 0 (Send(CInspectJob 0)) ]
      // Longer than sessions run: a back-off that doubles past its hour, capped.
      "a back-off doubles after each fail, up to an hour",
      [ step 0 0 Open
        step 0 0 (Send(CAdd(0, 0, 40, 86_400_000, 0, 0, 255, 1)))
        yield!
            [ for _ in 1..24 do
                  step 0 0 (Send(CFail(0, 0, None)))
                  step 0 0 (Send(CInspectJob 0)) ] ]
      "an every-second definition that skips overlaps, through a long pause and completes",
      [ step 0 0 Open
        step 0 0 (Send(CRecur(0, 0, 40, 3000, 0, true, 0, 0)))
        step 1000 0 (Send(CLease([ 0 ], 0, true)))
        step 1000 0 (Send(CInspectRecurring(0, 5)))
        step 0 0 (Send(CComplete(4, 1)))
        step 3500 0 (Send(CInspectJobs(0, 0, 5)))
        step 0 0 (Send(CInspectRecurring(0, 5))) ] ]
    |> List.map (fun (name, steps) ->
        test name {
            match runSession Replies { Steps = steps; MaxStoredBytes = None } with
            | Ok _ -> ()
            | Error why -> failtest why
        })

[<Tests>]
let tests =
    testList "model" [
        testList "examples" examples
        testPropertyWithConfig config "the decider answers every connection as the reference model does" (property Replies)
        testPropertyWithConfig config "folding a decision's events over the old state gives the decided state" (property Evolution)
        testPropertyWithConfig config "the stored-bytes limit never changes a complete, fail, delete, read or lease, but for the occurrences due before it" (property LimitsOnlyRefuseNewJobs)
        testPropertyWithConfig config "replaying the log of a session, or its snapshot, gives its durable state; the snapshot is within its bound" durability
        testPropertyWithConfig config "a cluster member's state, from the entries or from a snapshot and the rest, is the leader's and replay's" replication
    ]

