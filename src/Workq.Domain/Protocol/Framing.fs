namespace Workq.Domain

open System

/// How the host reads what follows a command line.
type Frame =
    /// Nothing follows: parse the line alone.
    | LineOnly
    /// Exactly `size` bytes of data follow, then CR LF.
    | WithData of size: int
    /// The host cannot tell where the data ends: answer this error and close.
    | Fatal of ClientError

module Framing =
    // This runs on every request, so it scans the line by index and allocates nothing.

    let private skipSpaces (line: string) (i: int) =
        let rec go i = if i < line.Length && line.[i] = ' ' then go (i + 1) else i
        go i

    let private tokenEnd (line: string) (start: int) =
        match line.IndexOf(' ', start) with
        | -1 -> line.Length
        | j -> j

    let private isFlag (line: string) (start: int) (stop: int) =
        line.[start] = '-' && line.IndexOf('=', start, stop - start) >= 0

    let private tokenIs (line: string) (start: int) (stop: int) (word: string) =
        stop - start = word.Length && String.CompareOrdinal(line, start, word, 0, word.Length) = 0

    /// The positional count a data command needs and its size error, None for others.
    let private dataCommand (line: string) (start: int) (stop: int) =
        if tokenIs line start stop "add" then ValueSome struct (5, InvalidPayloadSize)
        elif tokenIs line start stop "schedule" then ValueSome struct (6, InvalidPayloadSize)
        elif tokenIs line start stop "run" then ValueSome struct (5, InvalidPayloadSize)
        elif tokenIs line start stop "complete" then ValueSome struct (2, InvalidPayloadSize)
        elif tokenIs line start stop "fail" then ValueSome struct (2, InvalidResultSize)
        else ValueNone

    /// The number of positional tokens from `i` on, and where the last one starts and ends.
    let private positionals (line: string) (i: int) =
        let rec go i count lastStart lastStop =
            let start = skipSpaces line i
            if start >= line.Length then struct (count, lastStart, lastStop)
            else
                let stop = tokenEnd line start
                if isFlag line start stop then go stop count lastStart lastStop
                else go stop (count + 1) start stop
        go i 0 0 0

    /// A decimal size in 0..Sizes.maxData; digits only, leading zeros allowed.
    let private size (line: string) (start: int) (stop: int) =
        // Stops as soon as the value is out of range, so no length can overflow.
        let rec go i value =
            if value > Sizes.maxData then ValueNone
            elif i = stop then ValueSome value
            else
                let c = line.[i]
                if c >= '0' && c <= '9' then go (i + 1) (value * 10 + int c - int '0') else ValueNone
        if stop > start then go start 0 else ValueNone

    /// `line` is the command line's bytes as Latin-1 characters, without its line end.
    let classify (line: string) : Frame =
        let start = skipSpaces line 0
        if start >= line.Length then LineOnly
        else
            let stop = tokenEnd line start
            match dataCommand line start stop with
            | ValueNone -> LineOnly
            | ValueSome struct (expected, sizeError) ->
                let struct (count, lastStart, lastStop) = positionals line stop
                if count <> expected then Fatal InvalidArgs
                else
                    match size line lastStart lastStop with
                    | ValueSome n -> WithData n
                    | ValueNone -> Fatal sizeError

    /// The error (which closes the connection) when the data is not followed by CR LF.
    let badDataEnd (line: string) : ClientError =
        let start = skipSpaces line 0
        if start < line.Length && tokenIs line start (tokenEnd line start) "fail" then InvalidResultSize
        else InvalidPayloadSize
