/// Requests in their plain form: one space between tokens, none around them, no flags.
/// Nearly every request a client library sends looks like this, so the parser reads
/// these by index first, by the command table, and leaves everything else, and every
/// error, to the grammar. Measured: the grammar allocates about 6 KB for an add, lease
/// and complete, one FParsec run per token; this reads the same three in under 1 KB.
///
/// It reads the commands named by their word alone whose fields it has an index reader
/// for: not `schedule` (a time is the grammar's) and not the objects of `inspect`.
/// It may only ever say less than the grammar: when it reads a command, the grammar
/// reads the same one (a property checks this on generated and mangled lines).
module Workq.Domain.PlainForm

open System

/// A line's tokens by position: token `i` runs from `starts[i]` to the space before
/// `starts[i + 1]`, so nothing is cut out of the line that the command does not keep.
[<Struct>]
type private Tokens =
    { Line: string
      Starts: int[] }

    member t.Count = t.Starts.Length - 1
    member t.Start i = t.Starts[i]
    member t.Length i = t.Starts[i + 1] - 1 - t.Starts[i]

/// Writes where token `next` on starts: one past the space that ends the token before.
let rec private fillStarts (line: string) (starts: int[]) (i: int) next =
    if next < starts.Length then
        let space = line.IndexOf(' ', i)
        let stop = if space < 0 then line.Length else space
        starts[next] <- stop + 1
        fillStarts line starts (stop + 1) (next + 1)

/// The tokens, when one space separates each from the next, none stands at either end
/// and the line holds no `=`: flags are the grammar's, and no field of any command holds
/// one. ValueNone otherwise.
let private tokens (line: string) : Tokens voption =
    if line.Length = 0 || line[0] = ' ' || line[line.Length - 1] = ' ' || line.Contains "  " || line.Contains '=' then
        ValueNone
    else
        // Filled here, before anything else can see it, and only read afterwards.
        let starts = Array.zeroCreate (line.AsSpan().Count ' ' + 2)
        fillStarts line starts 0 1
        ValueSome { Line = line; Starts = starts }

let private number (t: Tokens) i = Number.tryRead t.Line (t.Start i) (t.Start i + t.Length i)

// One small reader per kind of value, each returning a value option: small enough for the
// JIT to inline the value's checks and keep their options off the heap.

let private jobId (t: Tokens) i = JobId.tryParseAt t.Line (t.Start i) (t.Length i)

let private jobName (t: Tokens) i = JobName.tryCreateAt t.Line (t.Start i) (t.Length i)

let inline private millis ([<InlineIfLambda>] create: int64<ms> -> 'a option) (t: Tokens) i : 'a voption =
    match number t i with
    | ValueSome n ->
        match create (LanguagePrimitives.Int64WithMeasure n) with
        | Some v -> ValueSome v
        | None -> ValueNone
    | ValueNone -> ValueNone

let private ttr t i = millis Ttr.tryCreate t i
let private ttl t i = millis Ttl.tryCreate t i
let private wait t i = millis WaitTimeout.tryCreate t i

let private offset t i =
    match number t i with
    | ValueSome n -> Page.tryOffset n
    | ValueNone -> ValueNone

let private limit t i =
    match number t i with
    | ValueSome n -> Page.tryLimit n
    | ValueNone -> ValueNone

let private isSize (data: byte[]) t i =
    match number t i with
    | ValueSome n -> n = int64 data.Length
    | ValueNone -> false

// The values read so far are one local of `tryRead`, filled in place through a byref:
// passed by value, the struct would be copied at every step of every request.

/// Token `i` into the slot of `role`; false when it is not valid, or for a role this
/// reader leaves to the grammar.
let private read (role: Role) (t: Tokens) i (data: byte[]) (a: byref<Args>) : bool =
    match role with
    | Role.Id ->
        match jobId t i with
        | ValueSome v -> a.Id <- v; true
        | ValueNone -> false
    | Role.Name ->
        match jobName t i with
        | ValueSome v -> a.Name <- v; true
        | ValueNone -> false
    | Role.Names ->
        match jobName t i with
        | ValueSome v -> a.Names <- v :: a.Names; true
        | ValueNone -> false
    | Role.Ttr ->
        match ttr t i with
        | ValueSome v -> a.Ttr <- v; true
        | ValueNone -> false
    | Role.Ttl ->
        match ttl t i with
        | ValueSome v -> a.Ttl <- v; true
        | ValueNone -> false
    | Role.Wait ->
        match wait t i with
        | ValueSome v -> a.Wait <- v; true
        | ValueNone -> false
    | Role.Offset ->
        match offset t i with
        | ValueSome v -> a.Offset <- v; true
        | ValueNone -> false
    | Role.Limit ->
        match limit t i with
        | ValueSome v -> a.Limit <- v; true
        | ValueNone -> false
    | Role.Size ->
        isSize data t i && (a.Data <- data; true)
    | Role.Time
    | Role.Priority
    | Role.MaxAttempts
    | Role.MaxFails -> false

/// Tokens `first` to `first + count - 1`, all for one field, read last first so that a
/// field of several tokens lists its values in order.
let rec private readSpan role (t: Tokens) first count data (a: byref<Args>) : bool =
    count = 0 || (read role t (first + count - 1) data &a && readSpan role t first (count - 1) data &a)

/// The fields from token `i` on, left to right; `spare` is the tokens the line has
/// beyond the fewest its command needs.
let rec private readFields (fields: Field list) (t: Tokens) i spare data (a: byref<Args>) : bool =
    match fields with
    | [] -> true
    | field :: rest ->
        let count = Arity.take field.Arity spare
        match field.Arity with
        | Optional when count > 0 -> a.Given <- a.Given ||| Role.bit field.Role
        | _ -> ()
        (if count = 1 then read field.Role t i data &a else readSpan field.Role t i count data &a)
        && readFields rest t (i + count) (spare - (count - Arity.least field.Arity)) data &a

let private readAs (spec: CommandSpec) (t: Tokens) (data: byte[]) : Command voption =
    let positional = t.Count - 1
    let mutable args = Args.Empty
    if CommandSpec.takes spec positional && readFields spec.Fields t 1 (positional - spec.Least) data &args then
        ValueSome(spec.Build args)
    else ValueNone

/// The command, when the line is a plain request whose fields are all valid;
/// ValueNone for anything else.
let tryRead (line: string) (data: byte[]) : Command voption =
    match tokens line with
    | ValueSome t ->
        match CommandTable.tryCommandAt line 0 (t.Length 0) with
        | ValueSome spec -> readAs spec t data
        | ValueNone -> ValueNone
    | ValueNone -> ValueNone

/// `tryRead` by a spec of the caller's rather than the table's: how the properties read
/// shapes that no command of the table has yet.
let internal tryReadAs (spec: CommandSpec) (line: string) (data: byte[]) : Command voption =
    match tokens line with
    | ValueSome t when t.Length 0 = spec.Name.Length && line.StartsWith(spec.Name, StringComparison.Ordinal) -> readAs spec t data
    | _ -> ValueNone
