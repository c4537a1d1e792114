namespace Workq.Domain

/// The size limits of the wire protocol.
module Sizes =
    /// Longest command line, not counting its line end.
    let maxLine = 65_536
    /// Largest payload or result.
    let maxData = 1_048_576

    /// A data size as a line announces it, when it is one: 0 to `maxData`.
    let tryData (n: int64) : int voption = if n >= 0L && n <= int64 maxData then ValueSome(int n) else ValueNone
