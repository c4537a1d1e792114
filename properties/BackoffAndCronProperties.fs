/// The arithmetic of retries and recurrences: a back-off's wait stays within its bounds,
/// and a cron expression's next occurrence comes strictly after the instant, matches the
/// expression, and is the first that does.
module Workq.Properties.BackoffAndCronProperties

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open Workq.Domain

let private config = { FsCheckConfig.defaultConfig with maxTest = 500 }

let private hour = 3_600_000L

let private genBackoff =
    Gen.frequency [ 1, Gen.elements [ 1L; 999L; hour ]; 4, Gen.choose64 (1L, hour) ]
    |> Gen.map (fun n -> RetryDelay.tryCreate (n * 1L<ms>) |> Option.get)

let private genFails = Gen.frequency [ 3, Gen.choose (1, 8); 1, Gen.choose (9, 300) ]

let private genDraw =
    Gen.frequency [ 1, Gen.elements [ 0u; UInt32.MaxValue; 0x8000_0000u ]; 4, Gen.choose64 (0L, int64 UInt32.MaxValue) |> Gen.map uint32 ]

let private backoff =
    testList "back-off" [
        testPropertyWithConfig config "the wait lies within a fifth of the doubled back-off, and never over an hour" <|
            Prop.forAll (Arb.fromGen (Gen.zip3 genBackoff genFails genDraw)) (fun (b, fails, draw) ->
                let wait = int64 (Backoff.delay b fails (Jitter.ofDraw draw))
                let doubled = min (bigint hour) (bigint (int64 b.Ms) * pown 2I (fails - 1))
                let spread = doubled / 5I
                let lowest = doubled - spread
                let highest = min (bigint hour) (doubled + spread)
                bigint wait >= lowest && bigint wait <= highest && wait <= hour && wait >= 0L)

        testPropertyWithConfig config "a higher draw never waits less" <|
            Prop.forAll (Arb.fromGen (Gen.zip (Gen.zip genBackoff genFails) (Gen.zip genDraw genDraw))) (fun ((b, fails), (d1, d2)) ->
                let wait d = Backoff.delay b fails (Jitter.ofDraw d)
                d1 > d2 || wait d1 <= wait d2)

        testPropertyWithConfig config "the middle draw spreads nothing" <|
            Prop.forAll (Arb.fromGen (Gen.zip genBackoff genFails)) (fun (b, fails) ->
                int64 (Backoff.delay b fails Jitter.none) = int64 (min (bigint hour) (bigint (int64 b.Ms) * pown 2I (fails - 1))))

        testPropertyWithConfig config "a retry is after now, at most the wait away, and before the TTL runs out" <|
            let genCase =
                gen {
                    let! now = Gen.choose64 (0L, 10_000_000L)
                    let! wait = Gen.choose64 (0L, hour)
                    let! left = Gen.frequency [ 1, Gen.constant None; 4, Gen.choose64 (1L, 2L * hour) |> Gen.map Some ]
                    return now, wait, left
                }
            Prop.forAll (Arb.fromGen genCase) (fun (now, wait, left) ->
                let now = now * 1L<ms>
                let expiry = left |> Option.map (fun l -> now + l * 1L<ms>)
                match Backoff.retryAt now (wait * 1L<ms>) expiry, expiry with
                | Some at, Some expiry -> at > now && at <= now + wait * 1L<ms> && at < expiry
                | Some at, None -> at = now + wait * 1L<ms> && wait > 0L
                | None, Some expiry -> wait = 0L || expiry - now <= 1L<ms>
                | None, None -> wait = 0L)
    ]

// ---- cron ------------------------------------------------------------------------------

/// The values a field allows, read naively from its text: `*`, `*/step`, `a-b`, numbers
/// and the day names, separated by commas, within the field's range.
let private allowed (text: string) (lo: int) (hi: int) : Set<int> =
    let value (v: string) =
        match v with
        | "SUN" -> 0
        | "MON" -> 1
        | "TUE" -> 2
        | "WED" -> 3
        | "THU" -> 4
        | "FRI" -> 5
        | "SAT" -> 6
        | n -> int n
    text.Split ','
    |> Seq.collect (fun part ->
        match part.Split '/' with
        | [| "*" |] -> seq { lo..hi }
        | [| "*"; step |] -> seq { lo .. int step .. hi }
        | [| range |] when range.Contains '-' ->
            let ends = range.Split '-'
            seq { value ends[0] .. value ends[1] }
        | [| single |] -> Seq.singleton (value single)
        | _ -> failwithf "a field the naive reader does not know: %s" part)
    |> Set.ofSeq

/// Whether a UTC time matches an expression's fields (second first; `0` when none given).
let private matcher (token: string) : DateTime -> bool =
    let text =
        match token with
        | "@hourly" -> "0_*_*_*_*"
        | "@every_second" -> "*_*_*_*_*_*"
        | other -> other
    let fields = text.Split '_'
    let fields = if fields.Length = 5 then Array.append [| "0" |] fields else fields
    let ranges = [| 0, 59; 0, 59; 0, 23; 1, 31; 1, 12; 0, 6 |]
    let sets = Array.init 6 (fun i -> allowed fields[i] (fst ranges[i]) (snd ranges[i]))
    fun t ->
        sets[0].Contains t.Second && sets[1].Contains t.Minute && sets[2].Contains t.Hour && sets[3].Contains t.Day
        && sets[4].Contains t.Month && sets[5].Contains(int t.DayOfWeek) && t.Millisecond = 0

let private genAfter =
    // 1970 to about 2400: the instants a server could see, and a little beyond.
    Gen.frequency [ 1, Gen.elements [ 0L; 1_800_000_000_000L; 1_800_000_000_999L ]; 4, Gen.choose64 (0L, 13_600_000_000_000L) ]
    |> Gen.map (fun n -> n * 1L<ms>)

let private cron =
    testList "cron" [
        testPropertyWithConfig config "the next occurrence is strictly after the instant and matches the expression" <|
            Prop.forAll (Arb.fromGen (Gen.zip Generators.cron genAfter)) (fun (c, after) ->
                match Cron.next after c with
                | Some next -> next > after && matcher c.Token (Time.toDateTime next)
                | None -> false)

        testPropertyWithConfig config "no second between the instant and the next occurrence matches" <|
            Prop.forAll (Arb.fromGen (Gen.zip Generators.cron genAfter)) (fun (c, after) ->
                match Cron.next after c with
                | Some next ->
                    // The whole seconds strictly between, up to two hours of them.
                    let matches = matcher c.Token
                    let first = (int64 after / 1000L + 1L) * 1000L
                    seq { first .. 1000L .. min (int64 next - 1L) (first + 7_200_000L) }
                    |> Seq.forall (fun second -> not (matches (Time.toDateTime (second * 1L<ms>))))
                | None -> false)

        testPropertyWithConfig config "reading a token never throws" <|
            Prop.forAll (Arb.fromGen Generators.line) (fun token ->
                Cron.tryParse token |> ignore
                true)

        test "a token's fields are joined by _, five or six of them" {
            for token, valid in
                [ "*_*_*_*_*", true
                  "0_9_*_*_MON-FRI", true
                  "30_0_9_*_*_*", true
                  "@daily", true
                  "* * * * *", false
                  "*_*_*_*", false
                  "*_*_*_*_*_*_*", false
                  "*__*_*_*_*", false
                  "H_*_*_*_*", false
                  "0_0_30_2_*", false
                  "", false ] do
                Expect.equal (Cron.tryParse token).IsSome valid token
        }
    ]

[<Tests>]
let tests = testList "back-off and cron" [ backoff; cron ]
