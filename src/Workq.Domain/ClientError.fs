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
    | InvalidMember
    | NotClustered
    | InvalidBackoff
    | InvalidRetryIn
    | InvalidCounts
    | InvalidKey
    | InvalidCron
    | InvalidOverlap
    /// `requeue` of a job that has not failed.
    | NotFailed
    /// A request left unfinished, with nothing more sent, for longer than the server waits.
    | RequestTimedOut
    | InvalidToken
    /// A request before a good `auth`, on a server that checks tokens.
    | AuthenticationRequired
    /// A token the server does not have.
    | AuthenticationFailed

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
        | InvalidMember -> "Invalid member address"
        | NotClustered -> "Not a cluster member"
        | InvalidBackoff -> "Invalid Backoff"
        | InvalidRetryIn -> "Invalid Retry In"
        | InvalidCounts -> "Invalid Counts"
        | InvalidKey -> "Invalid Key"
        | InvalidCron -> "Invalid Cron"
        | InvalidOverlap -> "Invalid Overlap"
        | NotFailed -> "Job not failed"
        | RequestTimedOut -> "Request timed out"
        | InvalidToken -> "Invalid token"
        | AuthenticationRequired -> "Authentication required"
        | AuthenticationFailed -> "Authentication failed"
