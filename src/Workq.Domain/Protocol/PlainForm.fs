/// The everyday requests in their plain form: one space between tokens, none around
/// them, no flags. Nearly every request a client library sends looks like this, so the
/// parser reads these by index first and leaves everything else, and every error, to
/// the grammar. Measured: the grammar allocates about 6 KB for an add, lease and
/// complete, one FParsec run per token; this reads the same three in under 1 KB.
///
/// It may only ever say less than the grammar: when it reads a command, the grammar
/// reads the same one (a property checks this on generated and mangled lines).
module Workq.Domain.PlainForm

/// Digits saturate here, far above every range and far enough below overflow that
/// `acc * 10 + 9` never wraps.
let private saturation = 100_000_000_000_000_000L

/// A line's tokens by position: token `i` runs from `starts[i]` to the space before
/// `starts[i + 1]`, so nothing is cut out of the line that the command does not keep.
[<Struct>]
type private Tokens =
    { Line: string
      Starts: int[] }

    member t.Count = t.Starts.Length - 1
    member t.Start i = t.Starts[i]
    member t.Length i = t.Starts[i + 1] - 1 - t.Starts[i]

    member t.Is (i: int) (word: string) =
        t.Length i = word.Length && System.String.CompareOrdinal(t.Line, t.Start i, word, 0, word.Length) = 0

/// The tokens, when one space separates each from the next and none stands at either
/// end; ValueNone otherwise.
let private tokens (line: string) : Tokens voption =
    if line.Length = 0 || line[0] = ' ' || line[line.Length - 1] = ' ' || line.Contains "  " then ValueNone
    else
        let rec countSpaces i n = if i = line.Length then n else countSpaces (i + 1) (if line[i] = ' ' then n + 1 else n)
        let spaces = countSpaces 0 0
        // Filled here, before anything else can see it, and only read afterwards.
        let starts = Array.zeroCreate (spaces + 2)
        let rec fill (i: int) next =
            if next <= spaces + 1 then
                let space = line.IndexOf(' ', i)
                let stop = if space < 0 then line.Length else space
                starts[next] <- stop + 1
                fill (stop + 1) (next + 1)
        fill 0 1
        ValueSome { Line = line; Starts = starts }

let private natural (t: Tokens) i : int64 voption =
    let stop = t.Start i + t.Length i
    let rec go j acc =
        if j = stop then ValueSome acc
        else
            let c = t.Line[j]
            if c >= '0' && c <= '9' then go (j + 1) (min saturation (acc * 10L + int64 c - int64 '0'))
            else ValueNone
    go (t.Start i) 0L

let private ofOption =
    function
    | Some v -> ValueSome v
    | None -> ValueNone

let private jobId (t: Tokens) i = JobId.tryParseAt t.Line (t.Start i) (t.Length i) |> ofOption

let private jobName (t: Tokens) i = JobName.tryCreate (t.Line.Substring(t.Start i, t.Length i)) |> ofOption

let private millis (create: int64<ms> -> 'a option) t i =
    match natural t i with
    | ValueSome v -> create (LanguagePrimitives.Int64WithMeasure v) |> ofOption
    | ValueNone -> ValueNone

/// The data, when the size token is its length.
let private sized (data: byte[]) t i =
    match natural t i with
    | ValueSome n when n = int64 data.Length -> ValueSome data
    | _ -> ValueNone

/// The names of a lease: every token between the command and the wait, in order.
let private leaseNames (t: Tokens) =
    let rec go i acc =
        if i = 0 then ValueSome acc
        else
            match jobName t i with
            | ValueSome name -> go (i - 1) (name :: acc)
            | ValueNone -> ValueNone
    go (t.Count - 2) []

let private finish make (t: Tokens) data =
    match jobId t 1, sized data t 2 with
    | ValueSome id, ValueSome data -> ValueSome(make (id, data))
    | _ -> ValueNone

/// The fields an add and a run begin with: id, name, TTR.
let private jobHead (t: Tokens) =
    match jobId t 1, jobName t 2, millis Ttr.tryCreate t 3 with
    | ValueSome id, ValueSome name, ValueSome ttr -> ValueSome struct (id, name, ttr)
    | _ -> ValueNone

let private read (t: Tokens) (data: byte[]) : Command voption =
    match t.Count with
    | 6 when t.Is 0 "add" ->
        match jobHead t, millis Ttl.tryCreate t 4, sized data t 5 with
        | ValueSome(struct (id, name, ttr)), ValueSome ttl, ValueSome payload ->
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
    | 6 when t.Is 0 "run" ->
        match jobHead t, millis WaitTimeout.tryCreate t 4, sized data t 5 with
        | ValueSome(struct (id, name, ttr)), ValueSome wait, ValueSome payload ->
            ValueSome(Run { Id = id; Name = name; Ttr = ttr; Wait = wait; Priority = 0; Payload = payload })
        | _ -> ValueNone
    | 3 when t.Is 0 "complete" -> finish Complete t data
    | 3 when t.Is 0 "fail" -> finish Fail t data
    | 3 when t.Is 0 "result" ->
        match jobId t 1, millis WaitTimeout.tryCreate t 2 with
        | ValueSome id, ValueSome wait -> ValueSome(Result(id, wait))
        | _ -> ValueNone
    | 2 when t.Is 0 "delete" -> jobId t 1 |> ValueOption.map Delete
    | n when n >= 3 && t.Is 0 "lease" ->
        match leaseNames t, millis WaitTimeout.tryCreate t (n - 1) with
        | ValueSome names, ValueSome wait -> ValueSome(Lease(names, wait))
        | _ -> ValueNone
    | _ -> ValueNone

/// The command, when the line is a plain add, run, lease, complete, fail, result or
/// delete whose fields are all valid; ValueNone for anything else.
let tryRead (line: string) (data: byte[]) : Command voption =
    match tokens line with
    | ValueSome t -> read t data
    | ValueNone -> ValueNone
