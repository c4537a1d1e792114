namespace Workq.Domain

/// The texts of `-CLIENT-ERROR`.
type ClientError =
    | UnknownCommand
    | InvalidArgs
    | InvalidFlags
    | InvalidPayloadSize
    | InvalidResultSize
    | InvalidId
    | InvalidName
    | InvalidTtr
    | InvalidTtl
    | InvalidTime
    | InvalidPriority
    | InvalidMaxAttempts
    | InvalidMaxFails
    | InvalidWaitTimeout
    | InvalidCursorOffset
    | InvalidLimit
    | DuplicateJob
    | DuplicateResult
    | LineTooLong

module ClientError =
    let text =
        function
        | UnknownCommand -> "Unknown command"
        | InvalidArgs -> "Invalid command args"
        | InvalidFlags -> "Invalid command flags"
        | InvalidPayloadSize -> "Invalid payload size"
        | InvalidResultSize -> "Invalid result size"
        | InvalidId -> "Invalid ID"
        | InvalidName -> "Invalid Name"
        | InvalidTtr -> "Invalid TTR"
        | InvalidTtl -> "Invalid TTL"
        | InvalidTime -> "Invalid Time"
        | InvalidPriority -> "Invalid Priority"
        | InvalidMaxAttempts -> "Invalid Max Attempts"
        | InvalidMaxFails -> "Invalid Max Fails"
        | InvalidWaitTimeout -> "Invalid wait timeout"
        | InvalidCursorOffset -> "Invalid cursor offset"
        | InvalidLimit -> "Invalid limit"
        | DuplicateJob -> "Duplicate job"
        | DuplicateResult -> "Duplicate result"
        | LineTooLong -> "Line too long"
