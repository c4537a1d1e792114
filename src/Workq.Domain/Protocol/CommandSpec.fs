namespace Workq.Domain

open System

/// How many positional tokens a field takes.
type Arity =
    | One
    /// None or one: the field is given when the line has a token to spare for it.
    | Optional
    /// One, and every token to spare.
    | OneOrMore

module Arity =
    let least =
        function
        | One
        | OneOrMore -> 1
        | Optional -> 0

    let most =
        function
        | One
        | Optional -> 1
        | OneOrMore -> Int32.MaxValue

    /// The tokens a field takes when the line has `spare` tokens beyond the fewest its
    /// command needs; the fields to the left are served first.
    let inline take arity spare =
        match arity with
        | One -> 1
        | Optional -> if spare > 0 then 1 else 0
        | OneOrMore -> 1 + spare

/// A positional field: what it holds, how many tokens it takes, the error a bad one gets.
[<RequireQualifiedAccess>]
type Field = { Role: Role; Arity: Arity; Error: ClientError }

/// A flag `-key=value`: its key, what its value holds, the error a bad value gets.
[<RequireQualifiedAccess>]
type Flag = { Key: string; Role: Role; Error: ClientError }

module Flag =
    /// Whether the token from `start` up to `stop` is a flag rather than a positional
    /// token: told by its shape alone, a leading `-` and a `=`, so that framing can tell
    /// without reading it.
    let isAt (line: string) (start: int) (stop: int) =
        stop > start && line[start] = '-' && line.IndexOf('=', start, stop - start) >= 0

/// One request's shape on the wire, and the command its values make.
[<RequireQualifiedAccess; NoEquality; NoComparison>]
type CommandSpec =
    { /// The command word.
      Name: string
      /// For `inspect`, the word that names what is inspected: the first positional token.
      Object: string voption
      /// The positional fields after the words, in order; when data follows the line, its
      /// size is the last.
      Fields: Field list
      /// The flags allowed, in the order their values are checked.
      Flags: Flag list
      /// Whether the request may wait before it is answered.
      MayBlock: bool
      Build: Args -> Command
      /// The fewest and the most positional tokens the fields take.
      Least: int
      Most: int
      /// The size's error, when data follows the line.
      SizeError: ClientError voption }

module CommandSpec =
    let create name object (fields: Field list) flags mayBlock build : CommandSpec =
        let sizes = fields |> List.filter (fun f -> f.Role = Role.Size)
        let sizeIsLast =
            match sizes with
            | [] -> true
            | [ size ] -> List.last fields = size && size.Arity = One
            | _ -> false
        if not sizeIsLast then
            invalidArg (nameof fields) (name + ": a data size must be the one last field, taking one token")
        { Name = name
          Object = object
          Fields = fields
          Flags = flags
          MayBlock = mayBlock
          Build = build
          Least = fields |> List.sumBy (fun f -> Arity.least f.Arity)
          Most =
            if fields |> List.exists (fun f -> f.Arity = OneOrMore) then Int32.MaxValue
            else fields |> List.sumBy (fun f -> Arity.most f.Arity)
          SizeError =
            match sizes with
            | [ size ] -> ValueSome size.Error
            | _ -> ValueNone }

    /// Whether the spec takes this many positional tokens.
    let takes (spec: CommandSpec) (count: int) = count >= spec.Least && count <= spec.Most
