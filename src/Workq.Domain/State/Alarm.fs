namespace Workq.Domain

/// What happens when a timer runs out.
type Alarm =
    /// A scheduled job's time comes.
    | Wake of JobId
    /// A job's TTL runs out.
    | Expire of JobId
    /// A lease's TTR runs out.
    | LeaseEnd of JobId
    /// A blocked connection's wait-timeout runs out.
    | WaitEnd of ConnId
