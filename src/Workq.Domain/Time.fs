/// UTC times as the protocol writes them: `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
module Workq.Domain.Time

open System

let private epoch = DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)

let ofDateTime (t: DateTime) : Instant =
    (t.ToUniversalTime() - epoch).Ticks / TimeSpan.TicksPerMillisecond * 1L<ms>

let toDateTime (t: Instant) : DateTime = epoch.AddTicks(int64 t * TimeSpan.TicksPerMillisecond)

/// The instant of a calendar date and time of day, if it exists. The fraction is the
/// digits after the decimal point; digits past milliseconds are dropped.
let ofParts year month day hour minute second (fraction: string) : Instant option =
    let valid =
        year >= 1 && year <= 9999 && month >= 1 && month <= 12
        && day >= 1 && day <= DateTime.DaysInMonth(year, month)
        && hour <= 23 && minute <= 59 && second <= 59
        && String.forall Chars.isDigit fraction
    if not valid then None
    else
        let millis = (fraction + "000").Substring(0, 3) |> int
        let t = DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddMilliseconds(float millis)
        Some(ofDateTime t)

/// Whole seconds, as `inspect` shows times.
let format (t: Instant) : string = (toDateTime t).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")

/// Milliseconds included, so that parsing the text gives the same instant back.
let formatPrecise (t: Instant) : string = (toDateTime t).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'")
