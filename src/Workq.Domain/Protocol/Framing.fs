namespace Workq.Domain

/// How the host reads what follows a command line.
type Frame =
    /// Nothing follows: parse the line alone.
    | LineOnly
    /// Exactly `size` bytes of data follow, then CR LF.
    | WithData of size: int
    /// The host cannot tell where the data ends: answer this error and close.
    | Fatal of ClientError

/// Where a command's data ends, told from its line alone by the command table: how many
/// positional tokens the command takes, and that its size is the last of them.
module Framing =
    // This runs on every request, so it scans the line by index, and its loops pass the
    // line on rather than close over it: nothing is allocated but the frame.

    let rec private skipSpaces (line: string) (i: int) =
        if i < line.Length && line.[i] = ' ' then skipSpaces line (i + 1) else i

    let private tokenEnd (line: string) (start: int) =
        match line.IndexOf(' ', start) with
        | -1 -> line.Length
        | j -> j

    /// The number of positional tokens from `i` on, and where the last one starts and ends.
    let rec private positionals (line: string) (i: int) count lastStart lastStop =
        let start = skipSpaces line i
        if start >= line.Length then struct (count, lastStart, lastStop)
        else
            let stop = tokenEnd line start
            if Flag.isAt line start stop then positionals line stop count lastStart lastStop
            else positionals line stop (count + 1) start stop

    /// The command named by the line's first token, if any.
    let private command (line: string) =
        let start = skipSpaces line 0
        if start >= line.Length then struct (ValueNone, start)
        else
            let stop = tokenEnd line start
            struct (CommandTable.tryCommandAt line start (stop - start), stop)

    /// `line` is the command line's bytes as Latin-1 characters, without its line end.
    let classify (line: string) : Frame =
        match command line with
        | struct (ValueSome spec, afterName) when spec.SizeError.IsSome ->
            let struct (count, lastStart, lastStop) = positionals line afterName 0 0 0
            if not (CommandSpec.takes spec count) then Fatal InvalidArgs
            else
                match Number.tryRead line lastStart lastStop |> ValueOption.bind Sizes.tryData with
                | ValueSome n -> WithData n
                | ValueNone -> Fatal spec.SizeError.Value
        | _ -> LineOnly

    /// The error (which closes the connection) when the data is not followed by CR LF.
    let badDataEnd (line: string) : ClientError =
        match command line with
        | struct (ValueSome spec, _) -> spec.SizeError |> ValueOption.defaultValue InvalidPayloadSize
        | struct (ValueNone, _) -> InvalidPayloadSize
