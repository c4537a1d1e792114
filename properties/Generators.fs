/// FsCheck generators for the protocol's values, commands and replies. Each value
/// generator leans on its edges (bounds, zero, extremes) as well as the range between.
module Workq.Properties.Generators

open System
open FsCheck
open FsCheck.FSharp
open Workq.Domain
open Workq.Testing

/// Mostly the edges, sometimes anything in the range.
let private edgesOr (edges: 'a list) (range: Gen<'a>) =
    Gen.frequency [ 1, Gen.elements edges; 3, range ]

let private int64Between lo hi = edgesOr [ lo; hi ] (Gen.choose64 (lo, hi))

let private get (what: string) (v: 'a option) =
    match v with
    | Some x -> x
    | None -> failwith $"generator made an invalid {what}"

// ---- values ---------------------------------------------------------------------

let private hexChars = "0123456789abcdef"

/// Random hex with the version and variant nibbles set, plus the extreme valid ids.
let jobId: Gen<JobId> =
    let random =
        gen {
            let! nibbles = Gen.arrayOfLength 32 (Gen.elements hexChars)
            let! version = Gen.elements "12345678"
            let! variant = Gen.elements "89ab"
            nibbles.[12] <- version
            nibbles.[16] <- variant
            let hex = String nibbles
            return $"{hex.[0..7]}-{hex.[8..11]}-{hex.[12..15]}-{hex.[16..19]}-{hex.[20..]}"
        }
    edgesOr [ "00000000-0000-1000-8000-000000000000"; "ffffffff-ffff-8fff-bfff-ffffffffffff"; "6ba7b810-9dad-11d1-80b4-00c04fd430c4" ] random
    |> Gen.map (JobId.tryParse >> get "id")

let nameChars = [ 'a' .. 'z' ] @ [ 'A' .. 'Z' ] @ [ '0' .. '9' ] @ [ '_'; '.'; '-' ]

let jobName: Gen<JobName> =
    gen {
        let! length = Gen.frequency [ 2, Gen.elements [ 1; JobName.maxLength ]; 5, Gen.choose (1, 12); 1, Gen.choose (1, JobName.maxLength) ]
        let! chars = Gen.arrayOfLength length (Gen.elements nameChars)
        return String chars |> JobName.tryCreate |> get "name"
    }

let private millis lo hi = int64Between lo hi |> Gen.map LanguagePrimitives.Int64WithMeasure<ms>

let ttr: Gen<Ttr> = millis 1L (int64 Ttr.max) |> Gen.map (Ttr.tryCreate >> get "ttr")

let ttl: Gen<Ttl> = millis 1L (int64 Ttl.max) |> Gen.map (Ttl.tryCreate >> get "ttl")

let waitTimeout: Gen<WaitTimeout> =
    millis 0L (int64 WaitTimeout.max) |> Gen.map (WaitTimeout.tryCreate >> get "wait-timeout")

/// Any millisecond from 0001-01-01 to 9999-12-31, the times the protocol can write.
let instant: Gen<Instant> =
    let first = Time.ofParts 1 1 1 0 0 0 "" |> get "time"
    let last = Time.ofParts 9999 12 31 23 59 59 "999" |> get "time"
    Gen.frequency [ 1, Gen.elements [ first; last; 0L<ms> ]; 4, millis (int64 first) (int64 last) ]

let priority: Gen<int> =
    edgesOr [ Int32.MinValue; Int32.MaxValue; 0; -1; 1 ] (Gen.choose64 (int64 Int32.MinValue, int64 Int32.MaxValue) |> Gen.map int)

let limit: Gen<Limit> =
    edgesOr [ 0; Limit.max ] (Gen.choose (0, Limit.max)) |> Gen.map (Limit.tryCreate >> get "limit")

/// Data of any bytes: empty, line-end and NUL heavy, random, and now and then the maximum.
let data: Gen<byte[]> =
    let awkward = Gen.elements [ 0uy; 13uy; 10uy; 32uy; byte '-'; byte '='; 255uy ]
    Gen.frequency
        [ 2, Gen.constant [||]
          4, Gen.arrayOf awkward
          4, Gen.arrayOf (Gen.choose (0, 255) |> Gen.map byte)
          1, Gen.constant (Array.init Sizes.maxData byte) ]

let page: Gen<Page> =
    gen {
        let! offset = edgesOr [ 0u; UInt32.MaxValue ] (Gen.choose64 (0L, int64 UInt32.MaxValue) |> Gen.map uint32)
        let! limit = edgesOr [ 1; Page.maxLimit ] (Gen.choose (1, Page.maxLimit))
        return { Offset = offset; Limit = limit }
    }

// ---- commands -------------------------------------------------------------------

let newJob: Gen<NewJob> =
    gen {
        let! id = jobId
        let! name = jobName
        let! ttr = ttr
        let! ttl = ttl
        let! priority = priority
        let! maxAttempts = limit
        let! maxFails = limit
        let! payload = data
        return
            { Id = id
              Name = name
              Ttr = ttr
              Ttl = ttl
              Priority = priority
              MaxAttempts = maxAttempts
              MaxFails = maxFails
              Payload = payload }
    }

let runJob: Gen<RunJob> =
    gen {
        let! id = jobId
        let! name = jobName
        let! ttr = ttr
        let! wait = waitTimeout
        let! priority = priority
        let! payload = data
        return { Id = id; Name = name; Ttr = ttr; Wait = wait; Priority = priority; Payload = payload }
    }

let inspection: Gen<Inspection> =
    Gen.oneof
        [ jobId |> Gen.map InspectJob
          Gen.zip jobName page |> Gen.map InspectJobs
          Gen.zip jobName page |> Gen.map InspectScheduledJobs
          jobName |> Gen.map InspectQueue
          page |> Gen.map InspectQueues
          Gen.constant InspectServer ]

let command: Gen<Command> =
    Gen.oneof
        [ newJob |> Gen.map Add
          Gen.zip newJob instant |> Gen.map Schedule
          runJob |> Gen.map Run
          Gen.zip jobId waitTimeout |> Gen.map Result
          Gen.zip (Gen.nonEmptyListOf jobName) waitTimeout |> Gen.map Lease
          Gen.zip jobId data |> Gen.map Complete
          Gen.zip jobId data |> Gen.map Fail
          jobId |> Gen.map Delete
          inspection |> Gen.map Inspect ]

// ---- arbitrary lines ------------------------------------------------------------

/// Any Latin-1 text, weighted towards the characters that matter to the grammar.
let line: Gen<string> =
    let interesting = Gen.elements (" -=0123456789.:TZ\t\r\n\000" |> Seq.toList)
    let anyChar = Gen.choose (0, 255) |> Gen.map char
    Gen.frequency [ 3, interesting; 1, Gen.elements nameChars; 1, anyChar ]
    |> Gen.arrayOf
    |> Gen.map String

/// A known command word followed by a mix of valid, edge and broken tokens, so that
/// arbitrary input reaches every validation step, not just `Unknown command`.
let tokenSoup: Gen<string> =
    let words =
        [ "add"; "schedule"; "run"; "result"; "lease"; "complete"; "fail"; "delete"; "inspect job"; "inspect jobs"
          "inspect scheduled-jobs"; "inspect queue"; "inspect queues"; "inspect server"; "inspect" ]
    let number = Gen.choose64 (0L, Int64.MaxValue) |> Gen.map string
    let token =
        Gen.oneof
            [ jobId |> Gen.map string
              jobName |> Gen.map string
              number
              Gen.elements
                  [ "0"; "1"; "-1"; "+1"; "00"; "99999999999999999999"; "1048576"; "1048577"; "4294967296"; "86400001"
                    "2026-02-30T00:00:00Z"; "2026-01-01T00:00:00.5Z"; "-priority=1"; "-priority=-2147483649"
                    "-max-attempts=256"; "-max-fails=0"; "-x=1"; "-="; "-a=b=c"; "-"; "="; "--"; "\000"; "\u00ff" ]
              line ]
    gen {
        let! word = Gen.elements words
        let! n = Gen.choose (0, 8)
        let! tokens = Gen.listOfLength n token
        let! gap = Gen.elements [ " "; "  " ]
        return String.Join(gap, word :: tokens)
    }

/// A request's line as the writer prints it, without its line end.
let commandLine (command: Command) =
    let bytes = CommandWriter.toBytes command
    let text = Text.Encoding.Latin1.GetString bytes
    text.Substring(0, text.IndexOf "\r\n")

/// A valid line with a few random edits: the near misses the parser must survive.
let mutatedLine: Gen<string> =
    let edit (text: string) =
        gen {
            let! i = Gen.choose (0, text.Length)
            let! c = Gen.elements (" -=0aZ9.:\u00ff\000" |> Seq.toList)
            let at = min i (max 0 (text.Length - 1))
            return!
                Gen.elements
                    [ text.Insert(i, string c)
                      (if text.Length = 0 then text else text.Remove(at, 1))
                      (if text.Length = 0 then text else text.Substring(0, at) + string c + text.Substring(at + 1))
                      text.Substring(0, i)
                      text.ToUpperInvariant()
                      text + " " + text
                      text.Replace(" ", " -") ]
        }
    let rec edits n text = if n = 0 then Gen.constant text else edit text |> Gen.bind (edits (n - 1))
    gen {
        let! command = command
        let! n = Gen.choose (1, 4)
        return! edits n (commandLine command)
    }

// ---- replies --------------------------------------------------------------------

let private status: Gen<Status> =
    Gen.oneof
        [ Gen.constant Waiting
          Gen.constant Ready
          instant |> Gen.map Status.Leased
          Gen.zip (Gen.elements [ true; false ]) data |> Gen.map (fun (ok, d) -> Finished { Success = ok; Data = d }) ]

let private origin: Gen<Origin> =
    Gen.oneof
        [ ttl |> Gen.map Background
          Gen.zip ttl instant |> Gen.map Scheduled
          Gen.choose64 (0L, Int64.MaxValue) |> Gen.map Foreground ]

let job: Gen<Job> =
    gen {
        let! j = newJob
        let! created = instant
        let! origin = origin
        let! seq = Gen.choose64 (0L, Int64.MaxValue)
        let! attempts = Gen.choose (0, Job.attemptCap)
        let! fails = Gen.choose (0, Job.attemptCap)
        let! status = status
        return
            { Id = j.Id
              Name = j.Name
              Ttr = j.Ttr
              Priority = j.Priority
              MaxAttempts = j.MaxAttempts
              MaxFails = j.MaxFails
              Payload = j.Payload
              Created = created
              Origin = origin
              Seq = seq
              Attempts = attempts
              Fails = fails
              Status = status }
    }

let private count = edgesOr [ 0; Int32.MaxValue ] (Gen.choose (0, Int32.MaxValue))

let queueStats: Gen<QueueStats> =
    gen {
        let! name = jobName
        let! ready = count
        let! scheduled = count
        let! leased = count
        let! workers = count
        return { Name = name; Ready = ready; Scheduled = scheduled; Leased = leased; Workers = workers }
    }

let serverStats: Gen<ServerStats> =
    gen {
        let! clients = count
        let! evicted = Gen.choose64 (0L, Int64.MaxValue)
        let! started = instant
        let! jobs = count
        let! queues = count
        return { ActiveClients = clients; EvictedJobs = evicted; Started = started; Jobs = jobs; Queues = queues }
    }

/// Record replies, with few records each: jobs may carry a megabyte.
let records: Gen<Reply> =
    let few g = Gen.choose (0, 3) |> Gen.bind (fun n -> Gen.listOfLength n g)
    Gen.oneof
        [ few job |> Gen.map JobRecords
          few queueStats |> Gen.map QueueRecords
          serverStats |> Gen.map ServerRecord ]
