module Workq.Domain.Parser

/// A command line (Latin-1 characters, no line end) and its data (empty for commands
/// without data) to a command or the error to answer. Total: never throws.
let parse (line: string) (data: byte[]) : Result<Command, ClientError> = failwith "TODO"
