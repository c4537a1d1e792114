module Workq.Domain.Parser

/// Just enough of a Result computation expression for "first failure wins".
type private ResultBuilder() =
    member _.Bind(r: Result<'a, 'e>, f: 'a -> Result<'b, 'e>) = Result.bind f r
    member _.Return(v: 'a) : Result<'a, 'e> = Ok v
    member _.ReturnFrom(r: Result<'a, 'e>) = r

let private result = ResultBuilder()

type private Flags = (string * string) list

/// How one command (or inspect object) is checked: the flags it allows, and the build
/// from its positional tokens, valid flags and data, which checks count, fields and
/// flag values in that order.
type private Spec =
    { Allowed: string list
      Build: string list -> Flags -> byte[] -> Result<Command, ClientError> }

// ---- fields -------------------------------------------------------------------

let private field (p: Grammar.P<'a>) (error: ClientError) (token: string) =
    match Grammar.tryRun p token with
    | Some v -> Ok v
    | None -> Error error

/// The size token must be a valid size and match the data read for it.
let private sized (error: ClientError) (token: string) (data: byte[]) =
    match Grammar.tryRun Grammar.size token with
    | Some n when n = data.Length -> Ok data
    | _ -> Error error

/// Left to right, the first failure wins.
let private traverse (f: 'a -> Result<'b, 'e>) (items: 'a list) : Result<'b list, 'e> =
    items
    |> List.fold (fun acc item -> result { let! done' = acc in let! v = f item in return v :: done' }) (Ok [])
    |> Result.map List.rev

let private flagOr (key: string) (p: Grammar.P<'a>) (error: ClientError) (fallback: 'a) (flags: Flags) =
    match List.tryFind (fst >> (=) key) flags with
    | Some(_, value) -> field p error value
    | None -> Ok fallback

let private priorityFlag = flagOr "priority" Grammar.priority InvalidPriority 0

// ---- flags --------------------------------------------------------------------

/// Syntax, allowed names and duplicates, all as `Invalid command flags`.
let private checkFlags (allowed: string list) (tokens: string list) : Result<Flags, ClientError> =
    let parsed = tokens |> List.choose (Grammar.tryRun Grammar.flag)
    let keys = parsed |> List.map fst
    let wellFormed = parsed.Length = tokens.Length
    let known = keys |> List.forall (fun k -> List.contains k allowed)
    let unique = (List.distinct keys).Length = keys.Length
    if wellFormed && known && unique then Ok parsed else Error InvalidFlags

// ---- commands -----------------------------------------------------------------

/// The fields every queued job starts with, left to right.
let private jobHead idText nameText ttrText ttlText =
    result {
        let! id = field Grammar.jobId InvalidId idText
        let! name = field Grammar.jobName InvalidName nameText
        let! ttr = field Grammar.ttr InvalidTtr ttrText
        let! ttl = field Grammar.ttl InvalidTtl ttlText
        return id, name, ttr, ttl
    }

/// Flag values in the order they are checked.
let private jobOptions (flags: Flags) =
    result {
        let! priority = priorityFlag flags
        let! maxAttempts = flagOr "max-attempts" Grammar.retryLimit InvalidMaxAttempts Limit.zero flags
        let! maxFails = flagOr "max-fails" Grammar.retryLimit InvalidMaxFails Limit.zero flags
        return priority, maxAttempts, maxFails
    }

let private newJob (id, name, ttr, ttl) payload (priority, maxAttempts, maxFails) : NewJob =
    { Id = id
      Name = name
      Ttr = ttr
      Ttl = ttl
      Priority = priority
      MaxAttempts = maxAttempts
      MaxFails = maxFails
      Payload = payload }

let private jobFlags = [ "priority"; "max-attempts"; "max-fails" ]

let private add =
    { Allowed = jobFlags
      Build =
        fun positional flags data ->
            match positional with
            | [ idText; nameText; ttrText; ttlText; size ] ->
                result {
                    let! head = jobHead idText nameText ttrText ttlText
                    let! payload = sized InvalidPayloadSize size data
                    let! options = jobOptions flags
                    return Add(newJob head payload options)
                }
            | _ -> Error InvalidArgs }

let private schedule =
    { Allowed = jobFlags
      Build =
        fun positional flags data ->
            match positional with
            | [ idText; nameText; ttrText; ttlText; timeText; size ] ->
                result {
                    let! head = jobHead idText nameText ttrText ttlText
                    let! at = field Grammar.time InvalidTime timeText
                    let! payload = sized InvalidPayloadSize size data
                    let! options = jobOptions flags
                    return Schedule(newJob head payload options, at)
                }
            | _ -> Error InvalidArgs }

let private run =
    { Allowed = [ "priority" ]
      Build =
        fun positional flags data ->
            match positional with
            | [ idText; nameText; ttrText; waitText; size ] ->
                result {
                    let! id = field Grammar.jobId InvalidId idText
                    let! name = field Grammar.jobName InvalidName nameText
                    let! ttr = field Grammar.ttr InvalidTtr ttrText
                    let! wait = field Grammar.waitTimeout InvalidWaitTimeout waitText
                    let! payload = sized InvalidPayloadSize size data
                    let! priority = priorityFlag flags
                    return
                        Run
                            { Id = id
                              Name = name
                              Ttr = ttr
                              Wait = wait
                              Priority = priority
                              Payload = payload }
                }
            | _ -> Error InvalidArgs }

/// A command with no flags whose positional tokens map straight to a result.
let private plain (build: string list -> byte[] -> Result<Command, ClientError>) =
    { Allowed = []; Build = fun positional _ data -> build positional data }

let private resultCmd =
    plain (fun positional _ ->
        match positional with
        | [ idText; waitText ] ->
            result {
                let! id = field Grammar.jobId InvalidId idText
                let! wait = field Grammar.waitTimeout InvalidWaitTimeout waitText
                return Result(id, wait)
            }
        | _ -> Error InvalidArgs)

let private lease =
    plain (fun positional _ ->
        match List.rev positional with
        | waitText :: (_ :: _ as reversedNames) ->
            result {
                let! names = reversedNames |> List.rev |> traverse (field Grammar.jobName InvalidName)
                let! wait = field Grammar.waitTimeout InvalidWaitTimeout waitText
                return Lease(names, wait)
            }
        | _ -> Error InvalidArgs)

let private finish (make: JobId * byte[] -> Command) (sizeError: ClientError) =
    plain (fun positional data ->
        match positional with
        | [ idText; size ] ->
            result {
                let! id = field Grammar.jobId InvalidId idText
                let! data = sized sizeError size data
                return make (id, data)
            }
        | _ -> Error InvalidArgs)

let private complete = finish Complete InvalidPayloadSize

let private fail = finish Fail InvalidResultSize

let private delete =
    plain (fun positional _ ->
        match positional with
        | [ idText ] -> field Grammar.jobId InvalidId idText |> Result.map Delete
        | _ -> Error InvalidArgs)

// ---- inspect ------------------------------------------------------------------

let private page (offsetText: string) (limitText: string) =
    result {
        let! offset = field Grammar.cursorOffset InvalidCursorOffset offsetText
        let! limit = field Grammar.limit InvalidLimit limitText
        return { Offset = offset; Limit = limit }
    }

let private inspect (build: string list -> Result<Inspection, ClientError>) =
    plain (fun positional _ -> build positional |> Result.map Inspect)

let private queueListing (make: JobName * Page -> Inspection) =
    inspect (function
        | [ nameText; offsetText; limitText ] ->
            result {
                let! name = field Grammar.jobName InvalidName nameText
                let! page = page offsetText limitText
                return make (name, page)
            }
        | _ -> Error InvalidArgs)

let private inspectObject =
    function
    | "job" ->
        inspect (function
            | [ idText ] -> field Grammar.jobId InvalidId idText |> Result.map InspectJob
            | _ -> Error InvalidArgs)
        |> Some
    | "jobs" -> Some(queueListing InspectJobs)
    | "scheduled-jobs" -> Some(queueListing InspectScheduledJobs)
    | "queue" ->
        inspect (function
            | [ nameText ] -> field Grammar.jobName InvalidName nameText |> Result.map InspectQueue
            | _ -> Error InvalidArgs)
        |> Some
    | "queues" ->
        inspect (function
            | [ offsetText; limitText ] -> page offsetText limitText |> Result.map InspectQueues
            | _ -> Error InvalidArgs)
        |> Some
    | "server" ->
        inspect (function
            | [] -> Ok InspectServer
            | _ -> Error InvalidArgs)
        |> Some
    | _ -> None

// ---- entry --------------------------------------------------------------------

/// The command's spec and the tokens after its name (and after inspect's object).
let private resolve (name: string) (args: string list) : Result<Spec * string list, ClientError> =
    match name with
    | "add" -> Ok(add, args)
    | "schedule" -> Ok(schedule, args)
    | "run" -> Ok(run, args)
    | "result" -> Ok(resultCmd, args)
    | "lease" -> Ok(lease, args)
    | "complete" -> Ok(complete, args)
    | "fail" -> Ok(fail, args)
    | "delete" -> Ok(delete, args)
    | "inspect" ->
        // The object is the first positional token; flags may stand before it.
        match List.tryFindIndex (Grammar.isFlag >> not) args with
        | Some i ->
            match inspectObject args.[i] with
            | Some spec -> Ok(spec, List.removeAt i args)
            | None -> Error UnknownCommand
        | None -> Error UnknownCommand
    | _ -> Error UnknownCommand

/// `parse` by the grammar alone, the definition that `PlainForm` must agree with.
let parseByGrammar (line: string) (data: byte[]) : Result<Command, ClientError> =
    match Grammar.tryRun Grammar.tokens line with
    | Some(name :: args) ->
        result {
            let! spec, args = resolve name args
            let flagTokens, positional = List.partition Grammar.isFlag args
            let! flags = checkFlags spec.Allowed flagTokens
            return! spec.Build positional flags data
        }
    | Some []
    | None -> Error UnknownCommand

/// A command line (Latin-1 characters, no line end) and its data (empty for commands
/// without data) to a command or the error to answer. Total: never throws.
let parse (line: string) (data: byte[]) : Result<Command, ClientError> =
    match PlainForm.tryRead line data with
    | ValueSome command -> Ok command
    | ValueNone -> parseByGrammar line data
