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
