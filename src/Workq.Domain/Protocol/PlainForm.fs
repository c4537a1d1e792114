/// The everyday requests in their plain form: one space between tokens, none around
/// them, no flags. Nearly every request a client library sends looks like this, so the
/// parser reads these by index first and leaves everything else, and every error, to
/// the grammar. Measured: the grammar allocates about 6 KB for an add, lease and
/// complete, one FParsec run per token; this reads the same three in about 1 KB.
///
/// It may only ever say less than the grammar: when it reads a command, the grammar
/// reads the same one (a property checks this on generated and mangled lines).
module Workq.Domain.PlainForm

/// Digits saturate here, far above every range and far enough below overflow that
/// `acc * 10 + 9` never wraps.
let private saturation = 100_000_000_000_000_000L

let private natural (token: string) : int64 voption =
    let rec go i acc =
        if i = token.Length then ValueSome acc
        else
            let c = token[i]
            if c >= '0' && c <= '9' then go (i + 1) (min saturation (acc * 10L + int64 c - int64 '0'))
            else ValueNone
    if token.Length = 0 then ValueNone else go 0 0L

let private ofOption =
    function
    | Some v -> ValueSome v
    | None -> ValueNone

let private jobId token = JobId.tryParse token |> ofOption

let private jobName token = JobName.tryCreate token |> ofOption

let private millis (create: int64<ms> -> 'a option) token =
    match natural token with
    | ValueSome v -> create (LanguagePrimitives.Int64WithMeasure v) |> ofOption
    | ValueNone -> ValueNone

/// The data, when the size token is its length.
let private sized (data: byte[]) token =
    match natural token with
    | ValueSome n when n = int64 data.Length -> ValueSome data
    | _ -> ValueNone

/// Names `tokens[1 .. last - 1]` of a lease, in order.
let private leaseNames (tokens: string[]) =
    let rec go i acc =
        if i = 0 then ValueSome acc
        else
            match jobName tokens[i] with
            | ValueSome name -> go (i - 1) (name :: acc)
            | ValueNone -> ValueNone
    go (tokens.Length - 2) []

let private finish make (tokens: string[]) data =
    match jobId tokens[1], sized data tokens[2] with
    | ValueSome id, ValueSome data -> ValueSome(make (id, data))
    | _ -> ValueNone

/// The command, when the line is a plain add, run, lease, complete, fail, result or
/// delete whose fields are all valid; ValueNone for anything else.
let tryRead (line: string) (data: byte[]) : Command voption =
    // An empty token means a space too many: not plain.
    let tokens = line.Split ' '
    if Array.exists (fun (t: string) -> t.Length = 0) tokens then ValueNone
    else
        match tokens with
        | [| "add"; id; name; ttr; ttl; size |] ->
            match jobId id, jobName name, millis Ttr.tryCreate ttr, millis Ttl.tryCreate ttl, sized data size with
            | ValueSome id, ValueSome name, ValueSome ttr, ValueSome ttl, ValueSome payload ->
                ValueSome(
                    Add
                        { Id = id
                          Name = name
                          Ttr = ttr
                          Ttl = ttl
                          Priority = 0
                          MaxAttempts = Limit.zero
                          MaxFails = Limit.zero
                          Payload = payload }
                )
            | _ -> ValueNone
        | [| "run"; id; name; ttr; wait; size |] ->
            match jobId id, jobName name, millis Ttr.tryCreate ttr, millis WaitTimeout.tryCreate wait, sized data size with
            | ValueSome id, ValueSome name, ValueSome ttr, ValueSome wait, ValueSome payload ->
                ValueSome(
                    Run
                        { Id = id
                          Name = name
                          Ttr = ttr
                          Wait = wait
                          Priority = 0
                          Payload = payload }
                )
            | _ -> ValueNone
        | [| "complete"; _; _ |] -> finish Complete tokens data
        | [| "fail"; _; _ |] -> finish Fail tokens data
        | [| "result"; id; wait |] ->
            match jobId id, millis WaitTimeout.tryCreate wait with
            | ValueSome id, ValueSome wait -> ValueSome(Result(id, wait))
            | _ -> ValueNone
        | [| "delete"; id |] -> jobId id |> ValueOption.map Delete
        | _ when tokens.Length >= 3 && tokens[0] = "lease" ->
            match leaseNames tokens, millis WaitTimeout.tryCreate tokens[tokens.Length - 1] with
            | ValueSome names, ValueSome wait -> ValueSome(Lease(names, wait))
            | _ -> ValueNone
        | _ -> ValueNone
