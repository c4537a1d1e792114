namespace Workq.Domain

/// How the host reads what follows a command line.
type Frame =
    /// Nothing follows: parse the line alone.
    | LineOnly
    /// Exactly `size` bytes of data follow, then CR LF.
    | WithData of size: int
    /// The host cannot tell where the data ends: answer this error and close.
    | Fatal of ClientError

module Framing =
    /// `line` is the command line's bytes as Latin-1 characters, without its line end.
    let classify (line: string) : Frame = failwith "TODO"

    /// The error (which closes the connection) when the data is not followed by CR LF.
    let badDataEnd (line: string) : ClientError = failwith "TODO"
