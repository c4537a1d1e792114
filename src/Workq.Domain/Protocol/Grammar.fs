/// The FParsec grammar of command lines: tokens, flags and the values of §3.
/// Every value parser both checks the form and the range, so a token either gives a
/// valid domain value or fails; none of them throws.
module Workq.Domain.Grammar

open System
open FParsec

type P<'a> = Parser<'a, unit>

// ---- tokens -------------------------------------------------------------------

let private spaces0: P<unit> = skipManySatisfy (fun c -> c = ' ')

let private token: P<string> = many1Satisfy (fun c -> c <> ' ')

/// Tokens split on runs of spaces; leading and trailing spaces are ignored. FParsec
/// hands a lone CR inside a token over as LF; no valid token holds either, so a token
/// with one is invalid all the same.
let tokens: P<string list> = spaces0 >>. many (token .>> spaces0) .>> eof

let isFlag (token: string) = Flag.isAt token 0 token.Length

/// A public parser takes a whole token: built once here, not at every run.
let private whole (p: P<'a>) : P<'a> = p .>> eof

/// `-key=value`: key and value non-empty, no second `=`.
let flag: P<string * string> =
    let part = many1Satisfy (fun c -> c <> '=')
    pchar '-' >>. part .>> pchar '=' .>>. part |> whole

// ---- values -------------------------------------------------------------------

/// Keeps a parsed value only if `check` accepts it.
let private validated (check: 'a -> 'b option) (p: P<'a>) : P<'b> =
    p >>= fun v ->
        match check v with
        | Some x -> preturn x
        | None -> fail "out of range"

let private validatedV (check: 'a -> 'b voption) : P<'a> -> P<'b> = validated (check >> ValueOption.toOption)

/// A decimal of any length, read by the one number reader.
let private natural: P<int64> = many1Satisfy Chars.isDigit |> validatedV (fun digits -> Number.tryRead digits 0 digits.Length)

/// Canonical `8-4-4-4-12`: 36 hex digits and dashes, whose places, variant and version
/// `JobId.tryParse` checks.
let jobId: P<JobId> =
    manyMinMaxSatisfy 36 36 (fun c -> Chars.isHex c || c = '-') |> validated JobId.tryParse |> whole

let jobName: P<JobName> = many1Satisfy Chars.isNameChar |> validated JobName.tryCreate |> whole

let private millis = natural |>> LanguagePrimitives.Int64WithMeasure<ms>

let ttr: P<Ttr> = millis |> validated Ttr.tryCreate |> whole

let ttl: P<Ttl> = millis |> validated Ttl.tryCreate |> whole

let waitTimeout: P<WaitTimeout> = millis |> validated WaitTimeout.tryCreate |> whole

let size: P<int> = natural |> validatedV Sizes.tryData |> whole

let cursorOffset: P<uint32> = natural |> validatedV Page.tryOffset |> whole

let limit: P<int> = natural |> validatedV Page.tryLimit |> whole

/// Signed: an optional `-`, never `+`.
let priority: P<int> =
    opt (pchar '-') .>>. natural
    |>> (fun (sign, v) -> if sign.IsSome then -v else v)
    |> validated (fun v -> if v >= int64 Int32.MinValue && v <= int64 Int32.MaxValue then Some(int v) else None)
    |> whole

let authToken: P<Token> = many1Satisfy Chars.isTokenChar |> validated Token.tryCreate |> whole

let retryLimit: P<Limit> = natural |> validated Limit.tryOfNumber |> whole

/// `HOST:PORT` of a cluster member.
let memberAddress: P<MemberAddress> = token |> validated MemberAddress.tryCreate |> whole
/// A back-off or a `-retry-in`: milliseconds, 0 to an hour.
let retryDelay: P<RetryDelay> = millis |> validated RetryDelay.tryCreate |> whole

/// The characters of a cron token: fields of digits, letters, `*`, `,`, `-`, `/`, `?`,
/// `#`, joined by `_`, or an `@` macro.
let private isCronChar (c: char) =
    Chars.isDigit c || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || "*,-/?#_@".Contains c

let cron: P<Cron> = many1Satisfy isCronChar |> validated Cron.tryParse |> whole

let overlap: P<Overlap> = (stringReturn "allow" Allow <|> stringReturn "skip" Skip) |> whole

/// `-counts=1`: the one value, whose presence asks for the counts.
let counts: P<unit> = skipChar '1' |> whole

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, a date that exists.
let time: P<Instant> =
    let digits n = manyMinMaxSatisfy n n Chars.isDigit |>> int
    let date = tuple3 (digits 4 .>> pchar '-') (digits 2 .>> pchar '-') (digits 2)
    let clock = tuple3 (digits 2 .>> pchar ':') (digits 2 .>> pchar ':') (digits 2)
    let fraction = opt (pchar '.' >>. many1Satisfy Chars.isDigit) |>> Option.defaultValue ""
    tuple3 (date .>> pchar 'T') clock (fraction .>> pchar 'Z')
    |> validated (fun ((y, mo, d), (h, mi, s), f) -> Time.ofParts y mo d h mi s f)
    |> whole

/// Runs `p`, one of the parsers above, over `text`; each of them takes a whole token (or
/// line), so `tryRun` adds nothing around it. The reply is read as it is: no error
/// message is built (FParsec's `run` would format one, and its result type's text is
/// made by reflection).
let tryRun (p: P<'a>) (text: string) : 'a option =
    use stream = new CharStream<unit>(text, 0, text.Length)
    let reply = p stream
    if reply.Status = ReplyStatus.Ok then Some reply.Result else None
