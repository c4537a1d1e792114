namespace Workq.Domain

/// A reply for a connection: the requester's, or a waiter's.
[<Struct>]
type Outbound = { To: ConnId; Reply: Reply }

type Decision =
    { State: State
      /// In order; folding them with `Evolve.apply` over the old state gives `State`.
      Events: Event list
      /// In the order they are to be sent.
      Replies: Outbound list }
