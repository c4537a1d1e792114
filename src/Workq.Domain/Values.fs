namespace Workq.Domain

open System

/// Milliseconds: the unit of every duration and instant in Workq.
[<Measure>]
type ms

/// A point in time: milliseconds since the Unix epoch, UTC. The host owns the clock;
/// the core only ever receives instants.
type Instant = int64<ms>

/// A connection, numbered by the host. Waiters belong to connections.
type ConnId = int64

/// A job id: a UUID in canonical form, RFC 9562 variant, version 1–8. Kept as its 128
/// bits in two halves, in the text's order, so that comparing two ids takes at most two
/// integer comparisons: the trees compare ids at every step of a lookup, and comparing
/// Guids was 4% of the server's time. A class, not a struct: the core's maps and sets
/// compare keys through IComparable, which would box a struct on every comparison.
[<CustomEquality; CustomComparison>]
type JobId =
    private
        { Hi: uint64
          Lo: uint64 }

    member this.Guid =
        let hi, lo = this.Hi, this.Lo
        Guid(
            uint32 (hi >>> 32), uint16 (hi >>> 16), uint16 hi,
            byte (lo >>> 56), byte (lo >>> 48), byte (lo >>> 40), byte (lo >>> 32),
            byte (lo >>> 24), byte (lo >>> 16), byte (lo >>> 8), byte lo
        )

    /// The order of the ids' canonical texts.
    static member Compare(a: JobId, b: JobId) =
        let c = a.Hi.CompareTo b.Hi
        if c <> 0 then c else a.Lo.CompareTo b.Lo

    override this.ToString() = this.Guid.ToString "D"
    override this.Equals other =
        match other with
        | :? JobId as o -> this.Hi = o.Hi && this.Lo = o.Lo
        | _ -> false
    override this.GetHashCode() = HashCode.Combine(this.Hi, this.Lo)
    interface IComparable with
        member this.CompareTo o =
            match o with
            | :? JobId as id -> JobId.Compare(this, id)
            | _ -> invalidArg (nameof o) "not a JobId"

module JobId =
    /// A hex digit's value; -1 for any other character.
    let private hexValue (c: char) =
        if c >= '0' && c <= '9' then int c - int '0'
        elif c >= 'a' && c <= 'f' then int c - int 'a' + 10
        elif c >= 'A' && c <= 'F' then int c - int 'A' + 10
        else -1

    let private isDash i = i = 8 || i = 13 || i = 18 || i = 23

    /// The digits from place `i` on, in text order: the first 16 make the high half, the
    /// last 16 the low one. One pass, the text passed on rather than closed over: ids are
    /// read on nearly every request.
    let rec private halvesFrom (text: string) start i digits (hi: uint64) (lo: uint64) : JobId voption =
        if i = 36 then ValueSome { Hi = hi; Lo = lo }
        elif isDash i then
            if text[start + i] = '-' then halvesFrom text start (i + 1) digits hi lo else ValueNone
        else
            match hexValue text[start + i] with
            | -1 -> ValueNone
            | v when digits < 16 -> halvesFrom text start (i + 1) (digits + 1) ((hi <<< 4) ||| uint64 v) lo
            | v -> halvesFrom text start (i + 1) (digits + 1) hi ((lo <<< 4) ||| uint64 v)

    /// Accepts exactly `8-4-4-4-12` hex digits with the RFC 9562 variant (10xx) and a
    /// version from 1 to 8, which also rules out the nil and max UUIDs: the `length`
    /// characters of `text` from `start` on, so that a parser need not cut them out. A
    /// value option: it runs for nearly every request.
    let tryParseAt (text: string) (start: int) (length: int) : JobId voption =
        if length = 36 && start >= 0 && start + length <= text.Length then
            match halvesFrom text start 0 0 0UL 0UL with
            | ValueSome id ->
                // The version is the 13th digit, the variant the top two bits of the 17th.
                let version = (id.Hi >>> 12) &&& 0xFUL
                if version >= 1UL && version <= 8UL && id.Lo >>> 62 = 0b10UL then ValueSome id else ValueNone
            | ValueNone -> ValueNone
        else ValueNone

    let tryParse (text: string) : JobId option = tryParseAt text 0 text.Length |> ValueOption.toOption

    /// The id of a Guid that satisfies the id rules (variant and version); None otherwise.
    let ofGuid (g: Guid) : JobId option =
        // Variant 10xx is the top two bits of the variant nibble: 0b10.
        if g.Version >= 1 && g.Version <= 8 && g.Variant >>> 2 = 0b10 then
            let bytes = g.ToByteArray(bigEndian = true)
            Some
                { Hi = Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(ReadOnlySpan(bytes, 0, 8))
                  Lo = Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(ReadOnlySpan(bytes, 8, 8)) }
        else None

    let guid (id: JobId) = id.Guid

/// A queue name: 1–255 bytes of `[A-Za-z0-9_.-]`. Compared in byte order. A class for
/// the same reason as JobId.
[<CustomEquality; CustomComparison>]
type JobName =
    private
    | JobName of string

    member this.Value = let (JobName s) = this in s
    override this.ToString() = this.Value
    override this.Equals other =
        match other with
        | :? JobName as o -> String.Equals(this.Value, o.Value, StringComparison.Ordinal)
        | _ -> false
    override this.GetHashCode() = StringComparer.Ordinal.GetHashCode this.Value
    interface IComparable with
        member this.CompareTo o =
            match o with
            | :? JobName as n -> String.CompareOrdinal(this.Value, n.Value)
            | _ -> invalidArg (nameof o) "not a JobName"

module JobName =
    let maxLength = 255

    let rec private namedFrom (text: string) i stop = i = stop || (Chars.isNameChar text[i] && namedFrom text (i + 1) stop)

    /// The name that the `length` characters of `text` from `start` on spell, cut out only
    /// once they are known to be one. A value option: it runs for nearly every request.
    let tryCreateAt (text: string) (start: int) (length: int) : JobName voption =
        if length >= 1 && length <= maxLength && start >= 0 && start + length <= text.Length
           && namedFrom text start (start + length) then
            ValueSome(JobName(text.Substring(start, length)))
        else ValueNone

    let tryCreate (text: string) : JobName option = tryCreateAt text 0 text.Length |> ValueOption.toOption

    let value (JobName s) = s

/// Time to run: how long one lease lasts, 1 ms to 24 h.
[<Struct>]
type Ttr =
    private
    | Ttr of int64<ms>
    member this.Ms = let (Ttr v) = this in v

module Ttr =
    let max = 86_400_000L<ms>
    let tryCreate (v: int64<ms>) = if v >= 1L<ms> && v <= max then Some(Ttr v) else None

/// Time to live: how long a job exists, 1 ms to 30 days.
[<Struct>]
type Ttl =
    private
    | Ttl of int64<ms>
    member this.Ms = let (Ttl v) = this in v

module Ttl =
    let max = 2_592_000_000L<ms>
    let tryCreate (v: int64<ms>) = if v >= 1L<ms> && v <= max then Some(Ttl v) else None

/// How long a blocking command may wait, 0 (do not wait) to 24 h.
[<Struct>]
type WaitTimeout =
    private
    | WaitTimeout of int64<ms>
    member this.Ms = let (WaitTimeout v) = this in v

module WaitTimeout =
    let max = 86_400_000L<ms>
    let tryCreate (v: int64<ms>) = if v >= 0L<ms> && v <= max then Some(WaitTimeout v) else None
    let none = WaitTimeout 0L<ms>

/// A retry limit flag value, 0–255.
[<Struct>]
type Limit =
    private
    | Limit of int
    member this.Value = let (Limit v) = this in v

module Limit =
    let max = 255
    let tryCreate (v: int) = if v >= 0 && v <= max then Some(Limit v) else None
    /// A number read from a line; any int64, so that a huge one cannot wrap into range.
    let tryOfNumber (v: int64) = if v >= 0L && v <= int64 max then Some(Limit(int v)) else None
    let zero = Limit 0
