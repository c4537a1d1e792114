namespace Workq.Domain

/// What a positional field or a flag holds: it decides how a reader reads the token and
/// which slot of `Args` takes the value.
[<RequireQualifiedAccess>]
type Role =
    | Id
    | Name
    /// A name among several (`lease`): each token adds one, in the order given.
    | Names
    | Ttr
    | Ttl
    | Wait
    | Time
    | Offset
    | Limit
    /// The size of the data after the line, which must be the data's length.
    | Size
    | Priority
    | MaxAttempts
    | MaxFails
    /// A recurring definition's key: a name.
    | Key
    | Cron
    | Backoff
    | RetryIn
    | Overlap
    /// `-counts=1`: its presence is its value.
    | Counts
    /// A cluster member's address.
    | Member
    | Token

module Role =
    /// The role's bit in `Args.Given`.
    let bit =
        function
        | Role.Id -> 1
        | Role.Name -> 2
        | Role.Names -> 4
        | Role.Ttr -> 8
        | Role.Ttl -> 16
        | Role.Wait -> 32
        | Role.Time -> 64
        | Role.Offset -> 128
        | Role.Limit -> 256
        | Role.Size -> 512
        | Role.Priority -> 1024
        | Role.MaxAttempts -> 2048
        | Role.MaxFails -> 4096
        | Role.Key -> 8192
        | Role.Cron -> 16384
        | Role.Backoff -> 32768
        | Role.RetryIn -> 65536
        | Role.Overlap -> 131072
        | Role.Counts -> 262144
        | Role.Member -> 524288
        | Role.Token -> 1048576
