/// Whole numbers as command lines write them: ASCII digits, leading zeros allowed, no
/// sign. Every reader of a line reads its numbers here.
module Workq.Domain.Number

/// Values saturate here: far above every range in the protocol, and far enough below
/// overflow that `value * 10 + 9` never wraps, so a run of digits of any length reads
/// without overflow and is then out of range wherever it is used.
let saturation = 100_000_000_000_000_000L

// Every parameter passed on rather than captured: this runs for every number of every
// request, and a closure would be allocated on each call.
let rec private digitsFrom (text: string) (i: int) (stop: int) (value: int64) : int64 voption =
    if i = stop then ValueSome value
    else
        let c = text[i]
        if Chars.isDigit c then digitsFrom text (i + 1) stop (min saturation (value * 10L + int64 c - int64 '0'))
        else ValueNone

/// The number the characters of `text` from `start` up to `stop` spell; ValueNone when
/// there are none or one is not a digit.
let tryRead (text: string) (start: int) (stop: int) : int64 voption =
    if stop > start then digitsFrom text start stop 0L else ValueNone
