/// Command lines to commands by the command table: the plain-form reader first, the
/// FParsec grammar for everything else and for every error, in the validation order of
/// the protocol (flags, the positional count, the fields left to right, the flag values
/// in the command's order).
module Workq.Domain.Parser

/// Just enough of a Result computation expression for "first failure wins".
type private ResultBuilder() =
    member _.Bind(r: Result<'a, 'e>, f: 'a -> Result<'b, 'e>) = Result.bind f r
    member _.Return(v: 'a) : Result<'a, 'e> = Ok v
    member _.ReturnFrom(r: Result<'a, 'e>) = r

let private result = ResultBuilder()

// The values read so far are one local of `readCommand`, filled in place through a byref,
// as in `PlainForm`.

/// `token`, read by the grammar's parser for `role`, into the role's slot; false when the
/// token is not a valid value.
let private read (role: Role) (token: string) (data: byte[]) (a: byref<Args>) : bool =
    let inline into (p: Grammar.P<'v>) = Grammar.tryRun p token
    match role with
    | Role.Id -> match into Grammar.jobId with Some v -> a.Id <- v; true | None -> false
    | Role.Name -> match into Grammar.jobName with Some v -> a.Name <- v; true | None -> false
    | Role.Names -> match into Grammar.jobName with Some v -> a.Names <- v :: a.Names; true | None -> false
    | Role.Ttr -> match into Grammar.ttr with Some v -> a.Ttr <- v; true | None -> false
    | Role.Ttl -> match into Grammar.ttl with Some v -> a.Ttl <- v; true | None -> false
    | Role.Wait -> match into Grammar.waitTimeout with Some v -> a.Wait <- v; true | None -> false
    | Role.Time -> match into Grammar.time with Some v -> a.Time <- v; true | None -> false
    | Role.Offset -> match into Grammar.cursorOffset with Some v -> a.Offset <- v; true | None -> false
    | Role.Limit -> match into Grammar.limit with Some v -> a.Limit <- v; true | None -> false
    | Role.Size -> match into Grammar.size with Some n when n = data.Length -> a.Data <- data; true | _ -> false
    | Role.Priority -> match into Grammar.priority with Some v -> a.Priority <- v; true | None -> false
    | Role.MaxAttempts -> match into Grammar.retryLimit with Some v -> a.MaxAttempts <- v; true | None -> false
    | Role.MaxFails -> match into Grammar.retryLimit with Some v -> a.MaxFails <- v; true | None -> false

/// Tokens `first` to `first + count - 1`, all for one field, read last first so that a
/// field of several tokens lists its values in order.
let rec private readSpan role (tokens: string[]) first count data (a: byref<Args>) : bool =
    count = 0 || (read role tokens[first + count - 1] data &a && readSpan role tokens first (count - 1) data &a)

/// The fields from token `i` on, left to right: the first bad one's error. `spare` is
/// the tokens the line has beyond the fewest its command needs.
let rec private readFields (fields: Field list) (tokens: string[]) i spare data (a: byref<Args>) : ClientError voption =
    match fields with
    | [] -> ValueNone
    | field :: rest ->
        let count = Arity.take field.Arity spare
        match field.Arity with
        | Optional when count > 0 -> a.Given <- a.Given ||| Role.bit field.Role
        | _ -> ()
        if readSpan field.Role tokens i count data &a then
            readFields rest tokens (i + count) (spare - (count - Arity.least field.Arity)) data &a
        else ValueSome field.Error

type private Flags = (string * string) list

/// Syntax, allowed keys and duplicates, all as `Invalid command flags`.
let private checkFlags (allowed: Flag list) (tokens: string list) : Result<Flags, ClientError> =
    let parsed = tokens |> List.choose (Grammar.tryRun Grammar.flag)
    let keys = parsed |> List.map fst
    let wellFormed = parsed.Length = tokens.Length
    let known = keys |> List.forall (fun k -> allowed |> List.exists (fun flag -> flag.Key = k))
    let unique = (List.distinct keys).Length = keys.Length
    if wellFormed && known && unique then Ok parsed else Error InvalidFlags

/// The values of the flags given, in the order the command lists them: the first bad
/// one's error.
let rec private readFlags (flags: Flag list) (given: Flags) data (a: byref<Args>) : ClientError voption =
    match flags with
    | [] -> ValueNone
    | flag :: rest ->
        match List.tryFind (fun (key, _) -> key = flag.Key) given with
        | Some(_, value) ->
            a.Given <- a.Given ||| Role.bit flag.Role
            if read flag.Role value data &a then readFlags rest given data &a else ValueSome flag.Error
        | None -> readFlags rest given data &a

/// The positional fields, then the flags' values, into the command.
let private readCommand (spec: CommandSpec) (positional: string[]) (flags: Flags) (data: byte[]) =
    let mutable args = Args.Empty
    match readFields spec.Fields positional 0 (positional.Length - spec.Least) data &args with
    | ValueSome error -> Error error
    | ValueNone ->
        match readFlags spec.Flags flags data &args with
        | ValueSome error -> Error error
        | ValueNone -> Ok(spec.Build args)

/// The command's spec and the tokens after its words. The object of a group such as
/// `inspect` is its first positional token (flags may stand before it). With none, the
/// request lacks an argument (as the original answers it), once its flags, checked first
/// as everywhere, are found good: with no object to allow any, there must be none.
let private resolve (word: string) (args: string list) : Result<CommandSpec * string list, ClientError> =
    match CommandTable.tryCommand word with
    | ValueSome spec -> Ok(spec, args)
    | ValueNone ->
        match CommandTable.objectsOf word with
        | [] -> Error UnknownCommand
        | objects ->
            match List.tryFindIndex (Grammar.isFlag >> not) args with
            | Some i ->
                match objects |> List.tryFind (fun spec -> spec.Object = ValueSome args[i]) with
                | Some spec -> Ok(spec, List.removeAt i args)
                | None -> Error UnknownCommand
            | None -> checkFlags [] args |> Result.bind (fun _ -> Error InvalidArgs)

/// A resolved command's line after its words: flags, the positional count, the fields,
/// the flags' values.
let private parseArgs (spec: CommandSpec) (args: string list) (data: byte[]) : Result<Command, ClientError> =
    result {
        let flagTokens, positional = List.partition Grammar.isFlag args
        let! flags = checkFlags spec.Flags flagTokens
        let positional = Array.ofList positional
        let! () = if CommandSpec.takes spec positional.Length then Ok() else Error InvalidArgs
        return! readCommand spec positional flags data
    }

/// `parse` by the grammar alone, the definition that `PlainForm` must agree with.
let parseByGrammar (line: string) (data: byte[]) : Result<Command, ClientError> =
    match Grammar.tryRun Grammar.tokens line with
    | Some(word :: args) -> resolve word args |> Result.bind (fun (spec, args) -> parseArgs spec args data)
    | Some []
    | None -> Error UnknownCommand

/// `parseByGrammar` by a spec of the caller's rather than the table's: how the properties
/// read shapes that no command of the table has yet.
let internal parseByGrammarAs (spec: CommandSpec) (line: string) (data: byte[]) : Result<Command, ClientError> =
    match Grammar.tryRun Grammar.tokens line with
    | Some(word :: args) when word = spec.Name -> parseArgs spec args data
    | _ -> Error UnknownCommand

/// A command line (Latin-1 characters, no line end) and its data (empty for commands
/// without data) to a command or the error to answer. Total: never throws.
let parse (line: string) (data: byte[]) : Result<Command, ClientError> =
    match PlainForm.tryRead line data with
    | ValueSome command -> Ok command
    | ValueNone -> parseByGrammar line data
