namespace Workq.Domain

/// What the server's configuration allows. An input of every decision, like the instant:
/// the core never reads configuration itself.
type Limits =
    { /// The payload and result bytes live jobs may hold (`State.StoredBytes`, which also
      /// counts the recurring definitions' payloads and expressions). A new job or
      /// definition that would take them past it is refused, and an occurrence adds no
      /// job; a result is always taken, so that work in hand can finish and the store can
      /// drain.
      MaxStoredBytes: int64 }

module Limits =
    /// No limit: for imports, tools and tests about something else.
    let none = { MaxStoredBytes = System.Int64.MaxValue }

    /// Whether a new job of `payloadBytes` fits beside the `storedBytes` the jobs hold.
    let admits (limits: Limits) (storedBytes: int64) (payloadBytes: int64) =
        storedBytes + payloadBytes <= limits.MaxStoredBytes

    /// Whether the limit refuses `command` while the jobs hold `storedBytes`: only a new
    /// job (add, schedule, run) or recurring definition (recur) is ever refused.
    let refuses (limits: Limits) (storedBytes: int64) (command: Command) =
        match command with
        | Add spec
        | Schedule(spec, _) -> not (admits limits storedBytes spec.Payload.LongLength)
        | Run spec -> not (admits limits storedBytes spec.Payload.LongLength)
        | Recur spec -> not (admits limits storedBytes (Recurrence.storedBytesOf spec))
        | _ -> false
