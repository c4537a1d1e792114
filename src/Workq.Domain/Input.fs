namespace Workq.Domain

/// What the engine feeds the decider, each at an instant of the host's clock.
type Input =
    | Connect of ConnId
    | Request of ConnId * Command
    /// A request that did not parse: its error is answered in its turn.
    | Reject of ConnId * ClientError
    /// Nothing but the passing of time: whatever is due fires.
    | Tick
    | Disconnect of ConnId
