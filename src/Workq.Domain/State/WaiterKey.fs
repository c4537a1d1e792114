namespace Workq.Domain

/// A blocked worker's place among those waiting on a name: first come, first served.
type WaiterKey = { Seq: int64; Conn: ConnId }
