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
    let private isHex (c: char) =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')

    let private hexValue (c: char) =
        if c <= '9' then uint64 c - uint64 '0'
        elif c <= 'F' then uint64 c - uint64 'A' + 10UL
        else uint64 c - uint64 'a' + 10UL

    let private isDash i = i = 8 || i = 13 || i = 18 || i = 23

    /// Accepts exactly `8-4-4-4-12` hex digits with the RFC 9562 variant (10xx) and a
    /// version from 1 to 8, which also rules out the nil and max UUIDs: the `length`
    /// characters of `text` from `start` on, so that a parser need not cut them out.
    let tryParseAt (text: string) (start: int) (length: int) : JobId option =
        let at i = text.[start + i]
        let rec shapeFrom i = i = 36 || ((if isDash i then at i = '-' else isHex (at i)) && shapeFrom (i + 1))
        // The first 16 digits make the high half, the last 16 the low one.
        let rec halves i digits (hi: uint64) (lo: uint64) =
            if i = 36 then { Hi = hi; Lo = lo }
            elif isDash i then halves (i + 1) digits hi lo
            elif digits < 16 then halves (i + 1) (digits + 1) ((hi <<< 4) ||| hexValue (at i)) lo
            else halves (i + 1) (digits + 1) hi ((lo <<< 4) ||| hexValue (at i))
        let shapeOk = length = 36 && start >= 0 && start + length <= text.Length && shapeFrom 0
        if not shapeOk then None
        else
            let version = at 14
            let variant = Char.ToLowerInvariant(at 19)
            if version >= '1' && version <= '8' && (variant = '8' || variant = '9' || variant = 'a' || variant = 'b') then
                Some(halves 0 0 0UL 0UL)
            else None

    let tryParse (text: string) : JobId option = tryParseAt text 0 text.Length

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

    let private allowed (c: char) =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c = '_' || c = '.' || c = '-'

    let tryCreate (text: string) : JobName option =
        if text.Length >= 1 && text.Length <= maxLength && String.forall allowed text then
            Some(JobName text)
        else None

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
    let zero = Limit 0

/// The size limits of the wire protocol.
module Sizes =
    /// Longest command line, not counting its line end.
    let maxLine = 65_536
    /// Largest payload or result.
    let maxData = 1_048_576
