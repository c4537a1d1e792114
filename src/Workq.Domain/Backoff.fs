namespace Workq.Domain

/// A uniform 32-bit random draw that the host makes for each input, as it reads its clock
/// for it: the core draws nothing, so a decision is a function of its inputs, and replay
/// never draws again (what a draw decided is in the logged events). It spreads a retry's
/// back-off.
[<Struct>]
type Jitter =
    private
    | Jitter of uint32

module Jitter =
    let ofDraw (draw: uint32) = Jitter draw

    /// The middle draw, which spreads nothing: for callers that draw nothing.
    let none = Jitter 0x8000_0000u

/// When a job whose fail is retried may be leased again.
module Backoff =
    /// A fifth either way: the spread of a back-off's delay.
    let private spreadDivisor = 5L

    /// The wait before the retry after a job's `fails`-th fail (1 or more), for a job with
    /// back-off `backoff`: the back-off doubled after each fail past the first, at most an
    /// hour, then moved by the jitter within a fifth of itself either way, and still at
    /// most an hour. Integer arithmetic only, so a draw always gives the same wait.
    let delay (backoff: RetryDelay) (fails: int) (Jitter draw) : int64<ms> =
        let doublings = max 0 (fails - 1)
        // The back-off is below 2^22 ms, so 2^31 times it is far from overflowing.
        let doubled = if doublings >= 32 then RetryDelay.max else min RetryDelay.max ((int64 backoff.Ms <<< doublings) * 1L<ms>)
        let spread = int64 doubled / spreadDivisor
        // A draw in [0, 2^32) mapped onto [-spread, spread], each value about as likely.
        let offset = int64 ((uint64 draw * uint64 (2L * spread + 1L)) >>> 32) - spread
        min RetryDelay.max (doubled + offset * 1L<ms>)

    /// The instant a job failed at `now` waits for, `delay` from now but before its TTL
    /// runs out (`expiresAt`, none for a job without one); None when that is not after now,
    /// and the job is ready again at once.
    let retryAt (now: Instant) (delay: int64<ms>) (expiresAt: Instant option) : Instant option =
        let wake =
            match expiresAt with
            | Some expiry -> min (now + delay) (expiry - 1L<ms>)
            | None -> now + delay
        if wake > now then Some wake else None
