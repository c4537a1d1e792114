namespace Workq.Domain

/// A blocked connection.
type Wait =
    { Seq: int64
      Waiter: Waiter
      /// When the wait runs out; None once a run is overdue and waits for its job's lease.
      Until: Instant option }
