module Workq.Tests.ProtocolTests

open System
open System.Buffers
open System.Text
open Expecto
open Workq.Domain
open Workq.Testing

// ---- helpers --------------------------------------------------------------------

let private latin1 (s: string) = Encoding.Latin1.GetBytes s
let private show (b: byte[]) = Encoding.Latin1.GetString b

let private jobId s = JobId.tryParse s |> Option.get
let private jobName s = JobName.tryCreate s |> Option.get
let private ttr v = Ttr.tryCreate (v * 1L<ms>) |> Option.get
let private ttl v = Ttl.tryCreate (v * 1L<ms>) |> Option.get
let private wait v = WaitTimeout.tryCreate (v * 1L<ms>) |> Option.get
let private limit v = Limit.tryCreate v |> Option.get
let private at y mo d h mi s f = Time.ofParts y mo d h mi s f |> Option.get

/// The version-1 id from the original README.
let private readmeId = "6ba7b810-9dad-11d1-80b4-00c04fd430c4"
let private id1 = jobId readmeId
let private id2 = jobId "0f6a7d2e-52b1-4c1e-9a57-3f0c2b9d8e11"

let private newJob: NewJob =
    { Id = id1
      Name = jobName "ping"
      Ttr = ttr 5000L
      Ttl = ttl 60000L
      Priority = 0
      MaxAttempts = Limit.zero
      MaxFails = Limit.zero
      Payload = latin1 "ping" }

let private parses (line: string) (data: string) (expected: Command) =
    testCase $"parses {line}" <| fun () ->
        Expect.equal (Parser.parse line (latin1 data)) (Ok expected) line

let private fails (line: string) (data: string) (expected: ClientError) =
    testCase $"{ClientError.text expected}: {line}" <| fun () ->
        Expect.equal (Parser.parse line (latin1 data)) (Error expected) line

let private frames (line: string) (expected: Frame) =
    testCase $"frames {line}" <| fun () -> Expect.equal (Framing.classify line) expected line

let private writes (name: string) (reply: Reply) (expected: string) =
    testCase name <| fun () -> Expect.equal (show (ReplyWriter.toBytes reply)) expected name

// ---- framing --------------------------------------------------------------------

let private framing =
    testList "framing" [
        frames "" LineOnly
        frames "   " LineOnly
        frames "frobnicate 1 2 3" LineOnly
        frames "ADD a b c d 4" LineOnly
        frames "lease q 0" LineOnly
        frames "result x 5" LineOnly
        frames "inspect server" LineOnly
        frames "add a b c d 4" (WithData 4)
        frames "  add   a b  c d 0004  " (WithData 4)
        frames "add a b c d -priority=1 4 -max-fails=2" (WithData 4)
        frames "add -x=1 a b c d 4" (WithData 4)
        frames "schedule a b c d t 0" (WithData 0)
        frames "run a b c d 1048576" (WithData 1048576)
        frames "complete a 7" (WithData 7)
        frames "fail a 0" (WithData 0)
        frames "add a b c d" (Fatal InvalidArgs)
        frames "add a b c d 4 5" (Fatal InvalidArgs)
        frames "add" (Fatal InvalidArgs)
        frames "schedule a b c d 4" (Fatal InvalidArgs)
        frames "run a b c d e 4" (Fatal InvalidArgs)
        frames "complete a" (Fatal InvalidArgs)
        frames "fail a 4 -5" (Fatal InvalidArgs)
        frames "add a b c d -4=" (Fatal InvalidArgs)
        frames "add a b c d 1048577" (Fatal InvalidPayloadSize)
        frames "add a b c d 99999999999999999999" (Fatal InvalidPayloadSize)
        frames "add a b c d -1" (Fatal InvalidPayloadSize)
        frames "add a b c d +1" (Fatal InvalidPayloadSize)
        frames "add a b c d 1x" (Fatal InvalidPayloadSize)
        frames "add a b c d \u0661" (Fatal InvalidPayloadSize)
        frames "complete a 1048577" (Fatal InvalidPayloadSize)
        frames "fail a 1048577" (Fatal InvalidResultSize)
        frames "fail a x" (Fatal InvalidResultSize)
        frames $"fail {readmeId} 1048577" (Fatal InvalidResultSize)
        testCase "badDataEnd" <| fun () ->
            Expect.equal (Framing.badDataEnd "fail a 1") InvalidResultSize "fail"
            Expect.equal (Framing.badDataEnd "  fail a 1") InvalidResultSize "fail after spaces"
            Expect.equal (Framing.badDataEnd "complete a 1") InvalidPayloadSize "complete"
            Expect.equal (Framing.badDataEnd "add a b c d 1") InvalidPayloadSize "add"
            Expect.equal (Framing.badDataEnd "failure") InvalidPayloadSize "not fail"
            Expect.equal (Framing.badDataEnd "") InvalidPayloadSize "empty"
    ]

// ---- parsing: every command -------------------------------------------------------

let private commands =
    let time = at 2026 11 27 21 50 2 ""
    testList "commands" [
        parses $"add {readmeId} ping 5000 60000 4" "ping" (Add newJob)
        parses $"add {readmeId} ping 5000 60000 4 -priority=10" "ping" (Add { newJob with Priority = 10 })
        parses $"add -max-fails=2 {readmeId} ping -priority=-3 5000 60000 -max-attempts=255 4" "ping"
            (Add { newJob with Priority = -3; MaxAttempts = limit 255; MaxFails = limit 2 })
        parses $"   add  {readmeId}   ping 5000 60000 4   " "ping" (Add newJob)
        parses $"schedule {readmeId} ping 5000 60000 2026-11-27T21:50:02Z 4" "ping" (Schedule(newJob, time))
        parses $"schedule {readmeId} ping 5000 60000 2026-11-27T21:50:02.5Z 4 -max-fails=1" "ping"
            (Schedule({ newJob with MaxFails = limit 1 }, time + 500L<ms>))
        parses $"run {readmeId} ping 5000 0 4 -priority=7" "ping"
            (Run { Id = id1; Name = jobName "ping"; Ttr = ttr 5000L; Wait = wait 0L; Priority = 7; Payload = latin1 "ping" })
        parses $"result {readmeId} 1000" "" (Result(id1, wait 1000L))
        parses "lease ping 1000" "" (Lease([ jobName "ping" ], wait 1000L))
        parses "lease low high low 0" "" (Lease([ jobName "low"; jobName "high"; jobName "low" ], wait 0L))
        parses $"complete {readmeId} 4" "pong" (Complete(id1, latin1 "pong"))
        parses $"fail {readmeId} 0" "" (Fail(id1, [||]))
        parses $"delete {readmeId}" "" (Delete id1)
        parses $"inspect job {readmeId}" "" (Inspect(InspectJob id1))
        parses "inspect jobs q 0 100" "" (Inspect(InspectJobs(jobName "q", { Offset = 0u; Limit = 100 })))
        parses "inspect scheduled-jobs q 4294967295 1" ""
            (Inspect(InspectScheduledJobs(jobName "q", { Offset = UInt32.MaxValue; Limit = 1 })))
        parses "inspect queue ping" "" (Inspect(InspectQueue(jobName "ping")))
        parses "inspect queues 007 010" "" (Inspect(InspectQueues { Offset = 7u; Limit = 10 }))
        parses "inspect server" "" (Inspect InspectServer)
        parses " inspect   server " "" (Inspect InspectServer)
    ]

// ---- parsing: errors and their order ------------------------------------------------

let private x = readmeId

let private unknown =
    testList "unknown command" [
        fails "" "" UnknownCommand
        fails "    " "" UnknownCommand
        fails "frobnicate" "" UnknownCommand
        fails "ADD" "" UnknownCommand
        fails $"Delete {x}" "" UnknownCommand
        fails "inspect nothing" "" UnknownCommand
        fails "inspect Server" "" UnknownCommand
        fails "inspect nothing -x=1" "" UnknownCommand
        fails "inspect nothing -bad" "" UnknownCommand
        fails "-priority=1 add" "" UnknownCommand
        fails "\t" "" UnknownCommand
    ]

let private flags =
    testList "flags" [
        fails "lease q -priority=3 100" "" InvalidFlags
        fails $"delete {x} -a=b" "" InvalidFlags
        fails "inspect -priority=1 server" "" InvalidFlags
        // With no object to allow them, flags are the first error.
        fails "inspect -priority=1" "" InvalidFlags
        fails $"add {x} q 1 1 1 -priority=" "x" InvalidFlags
        fails $"add {x} q 1 1 1 -=1" "x" InvalidFlags
        fails $"add {x} q 1 1 1 -priority=1=2" "x" InvalidFlags
        fails $"add {x} q 1 1 1 -priority==1" "x" InvalidFlags
        fails $"add {x} q 1 1 1 -Priority=1" "x" InvalidFlags
        fails $"add {x} q 1 1 1 --priority=1" "x" InvalidFlags
        fails $"add {x} q 1 1 1 -priority=1 -priority=1" "x" InvalidFlags
        fails $"add {x} q 1 1 1 -ttl=1" "x" InvalidFlags
        fails $"run {x} q 1 1 1 -max-attempts=1" "x" InvalidFlags
        fails $"complete {x} 1 -priority=1" "x" InvalidFlags
        // Flags come before every other check but framing.
        fails "add bad bad$ 0 0 9 -nope=1" "x" InvalidFlags
        fails "result -nope=1" "" InvalidFlags
        // A token with `-` but no `=` is positional.
        fails "delete -5" "" InvalidId
    ]

let private args =
    testList "args" [
        fails "result" "" InvalidArgs
        fails "result bad" "" InvalidArgs
        fails $"result {x} 1 2" "" InvalidArgs
        fails "lease" "" InvalidArgs
        fails "lease 0" "" InvalidArgs
        fails "delete" "" InvalidArgs
        fails $"delete {x} {x}" "" InvalidArgs
        // `inspect` with no object, as the original answers it.
        fails "inspect" "" InvalidArgs
        fails "  inspect  " "" InvalidArgs
        fails "inspect job" "" InvalidArgs
        fails $"inspect job {x} 1" "" InvalidArgs
        fails "inspect jobs q 0" "" InvalidArgs
        fails "inspect scheduled-jobs q 0 1 2" "" InvalidArgs
        fails "inspect queue" "" InvalidArgs
        fails "inspect queue a b" "" InvalidArgs
        fails "inspect queues 0" "" InvalidArgs
        fails "inspect server now" "" InvalidArgs
        // Framing catches these first, but parse stays total.
        fails "add a b c d" "" InvalidArgs
        fails "fail a" "" InvalidArgs
        fails $"schedule {x} q 1 1 2026-01-01 00:00:00Z 1" "x" InvalidArgs
    ]

let private fields =
    testList "fields" [
        // Left to right: the first bad field wins.
        fails "add bad bad$ 0 0 9" "x" InvalidId
        fails $"add {x} bad$ 0 0 9" "x" InvalidName
        fails $"add {x} q 0 0 9" "x" InvalidTtr
        fails $"add {x} q 1 0 9" "x" InvalidTtl
        fails $"add {x} q 1 1 9" "x" InvalidPayloadSize
        fails $"add {x} q 86400001 1 1" "x" InvalidTtr
        fails $"add {x} q 1 2592000001 1" "x" InvalidTtl
        fails $"add {x} q 1 1 1" "" InvalidPayloadSize
        fails $"add {x} q 1 1 0" "x" InvalidPayloadSize
        // Fields before flag values.
        fails $"add {x} q 0 1 1 -priority=x" "x" InvalidTtr
        fails $"schedule {x} q 1 1 2026-02-30T00:00:00Z 9" "x" InvalidTime
        fails $"schedule {x} q 1 1 2026-02-28T00:00:00Z 9" "x" InvalidPayloadSize
        fails $"run {x} q 1 86400001 9" "x" InvalidWaitTimeout
        fails $"run {x} q 0 86400001 9" "x" InvalidTtr
        fails $"run {x} q 1 1 9 -priority=x" "x" InvalidPayloadSize
        fails $"result {x} 86400001" "" InvalidWaitTimeout
        fails $"result {x} -1" "" InvalidWaitTimeout
        fails "result bad 86400001" "" InvalidId
        fails "lease q bad$ 99999999999" "" InvalidName
        fails "lease q 99999999999" "" InvalidWaitTimeout
        fails $"complete {x} 2" "x" InvalidPayloadSize
        fails $"fail {x} 2" "x" InvalidResultSize
        fails "fail bad 2" "x" InvalidId
        fails "delete bad" "" InvalidId
        fails "inspect job bad" "" InvalidId
        fails "inspect jobs bad$ x x" "" InvalidName
        fails "inspect jobs q 4294967296 0" "" InvalidCursorOffset
        fails "inspect jobs q -1 1" "" InvalidCursorOffset
        fails "inspect jobs q 0 0" "" InvalidLimit
        fails "inspect scheduled-jobs q 0 101" "" InvalidLimit
        fails "inspect queue bad$" "" InvalidName
        fails "inspect queues x 1" "" InvalidCursorOffset
        fails "inspect queues 1 99999999999999999999" "" InvalidLimit
    ]

let private flagValues =
    testList "flag values" [
        fails $"add {x} q 1 1 1 -max-fails=256 -max-attempts=256 -priority=x" "x" InvalidPriority
        fails $"add {x} q 1 1 1 -max-fails=256 -max-attempts=256 -priority=1" "x" InvalidMaxAttempts
        fails $"add {x} q 1 1 1 -max-fails=256 -max-attempts=255" "x" InvalidMaxFails
        fails $"add {x} q 1 1 1 -priority=+1" "x" InvalidPriority
        fails $"add {x} q 1 1 1 -priority=2147483648" "x" InvalidPriority
        fails $"add {x} q 1 1 1 -priority=-2147483649" "x" InvalidPriority
        fails $"add {x} q 1 1 1 -priority=99999999999999999999" "x" InvalidPriority
        fails $"add {x} q 1 1 1 -priority=--1" "x" InvalidPriority
        fails $"add {x} q 1 1 1 -priority=-" "x" InvalidPriority
        fails $"add {x} q 1 1 1 -priority=1.0" "x" InvalidPriority
        fails $"add {x} q 1 1 1 -max-attempts=-1" "x" InvalidMaxAttempts
        fails $"run {x} q 1 1 1 -priority=x" "x" InvalidPriority
        parses $"add {readmeId} ping 5000 60000 4 -priority=-2147483648" "ping"
            (Add { newJob with Priority = Int32.MinValue })
        parses $"add {readmeId} ping 5000 60000 4 -priority=2147483647" "ping"
            (Add { newJob with Priority = Int32.MaxValue })
        parses $"add {readmeId} ping 5000 60000 4 -priority=-0" "ping" (Add newJob)
        parses $"add {readmeId} ping 5000 60000 4 -priority=0000000000000000000000012" "ping"
            (Add { newJob with Priority = 12 })
        parses $"add {readmeId} ping 5000 60000 4 -max-attempts=0 -max-fails=00255" "ping"
            (Add { newJob with MaxFails = limit 255 })
    ]

let private values =
    let name255 = String('n', 255)
    let big = Array.init Sizes.maxData byte
    testList "values" [
        // Ids: canonical shape, either case, variant 10xx, version 1–8.
        parses (readmeId.ToUpperInvariant() |> sprintf "delete %s") "" (Delete id1)
        parses "delete 00000000-0000-1000-8000-000000000000" "" (Delete(jobId "00000000-0000-1000-8000-000000000000"))
        parses "delete ffffffff-ffff-8fff-bfff-ffffffffffff" "" (Delete(jobId "ffffffff-ffff-8fff-bfff-ffffffffffff"))
        fails "delete 00000000-0000-0000-0000-000000000000" "" InvalidId
        fails "delete ffffffff-ffff-ffff-ffff-ffffffffffff" "" InvalidId
        fails "delete 6ba7b810-9dad-01d1-80b4-00c04fd430c4" "" InvalidId
        fails "delete 6ba7b810-9dad-91d1-80b4-00c04fd430c4" "" InvalidId
        fails "delete 6ba7b810-9dad-11d1-c0b4-00c04fd430c4" "" InvalidId
        fails "delete 6ba7b810-9dad-11d1-70b4-00c04fd430c4" "" InvalidId
        fails "delete {6ba7b810-9dad-11d1-80b4-00c04fd430c4}" "" InvalidId
        fails "delete urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c4" "" InvalidId
        fails "delete 6ba7b8109dad11d180b400c04fd430c4" "" InvalidId
        fails "delete 6ba7b810-9dad-11d1-80b4-00c04fd430c4x" "" InvalidId
        fails "delete 6ba7b810-9dad-11d1-80b4-00c04fd430c" "" InvalidId
        fails "delete 6ba7b810-9dad-11d1-80b4-00c04fd430cg" "" InvalidId
        fails "delete 6ba7b810+9dad-11d1-80b4-00c04fd430c4" "" InvalidId
        // Names: 1–255 of [A-Za-z0-9_.-].
        parses "inspect queue a" "" (Inspect(InspectQueue(jobName "a")))
        parses "inspect queue A.z_0-9" "" (Inspect(InspectQueue(jobName "A.z_0-9")))
        parses $"inspect queue {name255}" "" (Inspect(InspectQueue(jobName name255)))
        fails $"inspect queue {name255}n" "" InvalidName
        fails "inspect queue bad$name" "" InvalidName
        fails "inspect queue caf\u00e9" "" InvalidName
        fails "inspect queue a\rb" "" InvalidName
        fails "lease q 1\r" "" InvalidWaitTimeout
        fails "inspect server\r" "" UnknownCommand
        // Durations at their bounds, leading zeros.
        parses "lease q 86400000" "" (Lease([ jobName "q" ], wait 86400000L))
        parses "lease q 0000" "" (Lease([ jobName "q" ], wait 0L))
        parses $"add {readmeId} ping 1 2592000000 4" "ping" (Add { newJob with Ttr = ttr 1L; Ttl = ttl 2592000000L })
        parses $"add {readmeId} ping 86400000 1 4" "ping" (Add { newJob with Ttr = ttr 86400000L; Ttl = ttl 1L })
        parses $"add {readmeId} ping 05000 060000 0004" "ping" (Add newJob)
        // Data: any bytes, the exact size, from 0 to the maximum.
        parses $"complete {readmeId} 4" "a\r\nb" (Complete(id1, latin1 "a\r\nb"))
        parses $"complete {readmeId} 3" "\000\r\n" (Complete(id1, [| 0uy; 13uy; 10uy |]))
        parses $"complete {readmeId} 000" "" (Complete(id1, [||]))
        testCase "maximum payload" <| fun () ->
            let parsed = Parser.parse $"add {readmeId} ping 5000 60000 1048576" big
            Expect.equal parsed (Ok(Add { newJob with Payload = big })) "1 MiB"
        // Times.
        parses $"schedule {readmeId} ping 5000 60000 2024-02-29T23:59:59Z 4" "ping" (Schedule(newJob, at 2024 2 29 23 59 59 ""))
        parses $"schedule {readmeId} ping 5000 60000 1970-01-01T00:00:00.123456789Z 4" "ping" (Schedule(newJob, 123L<ms>))
        parses $"schedule {readmeId} ping 5000 60000 9999-12-31T23:59:59.999Z 4" "ping" (Schedule(newJob, at 9999 12 31 23 59 59 "999"))
        parses $"schedule {readmeId} ping 5000 60000 0001-01-01T00:00:00Z 4" "ping" (Schedule(newJob, at 1 1 1 0 0 0 ""))
        yield!
            [ "2026-02-30T00:00:00Z"; "2023-02-29T00:00:00Z"; "2026-04-31T00:00:00Z"; "2026-13-01T00:00:00Z"
              "2026-00-01T00:00:00Z"; "2026-01-00T00:00:00Z"; "0000-01-01T00:00:00Z"; "2026-01-01T24:00:00Z"
              "2026-01-01T00:60:00Z"; "2026-01-01T00:00:60Z"; "2026-01-01T00:00:00z"; "2026-01-01t00:00:00Z"
              "2026-01-01T00:00:00"; "2026-01-01T00:00:00.Z"; "2026-01-01T00:00:00.5"; "2026-1-01T00:00:00Z"
              "2026-01-01T00:00:00+00:00"; "12026-01-01T00:00:00Z"; "2026-01-01T00:00:00Zx"
              "2026-01-01T00:00:00.-5Z"; "1700000000000" ]
            |> List.map (fun t -> fails $"schedule {x} q 1 1 {t} 1" "x" InvalidTime)
    ]

// ---- replies ---------------------------------------------------------------------

let private created = at 2026 11 27 21 50 2 ""

let private leasedJob: Job =
    { Id = id1
      Name = jobName "ping"
      Ttr = ttr 5000L
      Priority = 10
      MaxAttempts = Limit.zero
      MaxFails = Limit.zero
      Payload = latin1 "ping"
      Created = created
      Origin = Background(ttl 60000L)
      Seq = 0L
      Attempts = 1
      Fails = 0
      Status = Status.Leased(created + 5000L<ms>) }

let private jobLines =
    [ $"{readmeId} 12"; "name ping"; "ttr 5000"; "ttl 60000"; "payload-size 4"; "payload ping"
      "max-attempts 0"; "attempts 1"; "max-fails 0"; "fails 0"; "priority 10"; "state 4"
      "created 2026-11-27T21:50:02Z" ]

let private crlfLines (lines: string list) = lines |> List.map (fun l -> l + "\r\n") |> String.concat ""

let private replies =
    testList "replies" [
        writes "ok" Done "+OK\r\n"
        writes "timeout" Timeout "-TIMEOUT\r\n"
        writes "not found" NotFound "-NOT-FOUND\r\n"
        writes "server error" (ServerError "log is full") "-SERVER-ERROR log is full\r\n"
        writes "server error stays one line" (ServerError "a\r\nb\nc") "-SERVER-ERROR a b c\r\n"
        writes "result (examples.md)" (ResultOf(id1, { Success = true; Data = latin1 "pong" }))
            $"+OK 1\r\n{readmeId} 1 4\r\npong\r\n"
        writes "empty failed result (examples.md)" (ResultOf(id2, { Success = false; Data = [||] }))
            "+OK 1\r\n0f6a7d2e-52b1-4c1e-9a57-3f0c2b9d8e11 0 0\r\n\r\n"
        writes "result with CR LF NUL" (ResultOf(id1, { Success = true; Data = latin1 "\r\n\000" }))
            $"+OK 1\r\n{readmeId} 1 3\r\n\r\n\000\r\n"
        writes "leased (examples.md)" (LeaseOf leasedJob) $"+OK 1\r\n{readmeId} ping 5000 4\r\nping\r\n"
        writes "inspect job (examples.md)" (JobRecords [ leasedJob ]) (crlfLines ("+OK 1" :: jobLines))
        writes "scheduled job record has time"
            (JobRecords [ { leasedJob with Origin = Scheduled(ttl 1000L, created + 60000L<ms>); Status = Waiting; Attempts = 0 } ])
            (crlfLines
                [ "+OK 1"; $"{readmeId} 13"; "name ping"; "ttr 5000"; "ttl 1000"; "payload-size 4"; "payload ping"
                  "max-attempts 0"; "attempts 0"; "max-fails 0"; "fails 0"; "priority 10"; "state 0"
                  "created 2026-11-27T21:50:02Z"; "time 2026-11-27T21:51:02Z" ])
        writes "foreground job: ttl 0, finished states"
            (JobRecords
                [ { leasedJob with Origin = Foreground 3L; Status = Finished { Success = true; Data = [||] }; Priority = -1 }
                  { leasedJob with Id = id2; Payload = latin1 "a\r\nb"; MaxAttempts = limit 255; MaxFails = limit 3; Fails = 2
                                   Status = Finished { Success = false; Data = [||] } } ])
            (crlfLines
                [ "+OK 2"; $"{readmeId} 12"; "name ping"; "ttr 5000"; "ttl 0"; "payload-size 4"; "payload ping"
                  "max-attempts 0"; "attempts 1"; "max-fails 0"; "fails 0"; "priority -1"; "state 1"
                  "created 2026-11-27T21:50:02Z"
                  "0f6a7d2e-52b1-4c1e-9a57-3f0c2b9d8e11 12"; "name ping"; "ttr 5000"; "ttl 60000"; "payload-size 4"
                  "payload a\r\nb"; "max-attempts 255"; "attempts 1"; "max-fails 3"; "fails 2"; "priority 10"; "state 2"
                  "created 2026-11-27T21:50:02Z" ])
        writes "pending state" (JobRecords [ { leasedJob with Status = Ready } ])
            (crlfLines ("+OK 1" :: (jobLines |> List.map (fun l -> if l = "state 4" then "state 3" else l))))
        writes "no jobs" (JobRecords []) "+OK 0\r\n"
        writes "inspect queue"
            (QueueRecords [ { Name = jobName "ping"; Ready = 2; Scheduled = 0; Leased = 1; Workers = 0 } ])
            "+OK 1\r\nping 4\r\nready-len 2\r\nscheduled-len 0\r\nleased-len 1\r\nworkers 0\r\n"
        writes "inspect queues"
            (QueueRecords
                [ { Name = jobName "a"; Ready = 0; Scheduled = 1; Leased = 0; Workers = 3 }
                  { Name = jobName "b"; Ready = 5; Scheduled = 0; Leased = 0; Workers = 0 } ])
            (crlfLines
                [ "+OK 2"; "a 4"; "ready-len 0"; "scheduled-len 1"; "leased-len 0"; "workers 3"
                  "b 4"; "ready-len 5"; "scheduled-len 0"; "leased-len 0"; "workers 0" ])
        writes "no queues" (QueueRecords []) "+OK 0\r\n"
        writes "inspect server"
            (ServerRecord { ActiveClients = 4; EvictedJobs = 0L; Started = at 2026 11 27 21 47 33 "250"; Jobs = 12; Queues = 3 })
            "+OK 1\r\nserver 5\r\nactive-clients 4\r\nevicted-jobs 0\r\nstarted 2026-11-27T21:47:33Z\r\njobs 12\r\nqueues 3\r\n"
        testList "client errors" [
            for e, text in
                [ UnknownCommand, "Unknown command"; InvalidArgs, "Invalid command args"
                  InvalidFlags, "Invalid command flags"; InvalidPayloadSize, "Invalid payload size"
                  InvalidResultSize, "Invalid result size"; InvalidId, "Invalid ID"; InvalidName, "Invalid Name"
                  InvalidTtr, "Invalid TTR"; InvalidTtl, "Invalid TTL"; InvalidTime, "Invalid Time"
                  InvalidPriority, "Invalid Priority"; InvalidMaxAttempts, "Invalid Max Attempts"
                  InvalidMaxFails, "Invalid Max Fails"; InvalidWaitTimeout, "Invalid wait timeout"
                  InvalidCursorOffset, "Invalid cursor offset"; InvalidLimit, "Invalid limit"
                  DuplicateJob, "Duplicate job"; DuplicateResult, "Duplicate result"; LineTooLong, "Line too long" ] ->
                writes text (ClientError e) $"-CLIENT-ERROR {text}\r\n"
        ]
        testCase "uppercase ids are written lowercase" <| fun () ->
            match Parser.parse (sprintf "delete %s" (readmeId.ToUpperInvariant())) [||] with
            | Ok(Delete id) -> Expect.equal (show (ReplyWriter.toBytes (ResultOf(id, { Success = true; Data = [||] })))) $"+OK 1\r\n{readmeId} 1 0\r\n\r\n" "lowercase"
            | other -> failtest $"parsed {other}"
        testCase "replies append to the buffer" <| fun () ->
            let buffer = ArrayBufferWriter<byte>()
            ReplyWriter.write buffer Done
            ReplyWriter.write buffer (ClientError InvalidName)
            ReplyWriter.write buffer Timeout
            Expect.equal (show (buffer.WrittenSpan.ToArray())) "+OK\r\n-CLIENT-ERROR Invalid Name\r\n-TIMEOUT\r\n" "pipelined"
    ]

// ---- command writer ----------------------------------------------------------------

let private printed (name: string) (command: Command) (expected: string) =
    testCase $"prints {name}" <| fun () ->
        let bytes = CommandWriter.toBytes command
        Expect.equal (show bytes) expected name
        // And the printed request parses back to the command.
        let text = show bytes
        let lineEnd = text.IndexOf "\r\n"
        let line = text.Substring(0, lineEnd)
        let data =
            match Framing.classify line with
            | WithData n -> bytes.[lineEnd + 2 .. lineEnd + 1 + n]
            | LineOnly -> [||]
            | Fatal e -> failtest $"framing {e}"
        Expect.equal (Parser.parse line data) (Ok command) "round trip"

let private commandWriter =
    testList "command writer" [
        printed "add (examples.md)" (Add { newJob with Priority = 10 }) $"add {readmeId} ping 5000 60000 4 -priority=10\r\nping\r\n"
        printed "add with every flag" (Add { newJob with Priority = -5; MaxAttempts = limit 3; MaxFails = limit 2 })
            $"add {readmeId} ping 5000 60000 4 -priority=-5 -max-attempts=3 -max-fails=2\r\nping\r\n"
        printed "schedule" (Schedule({ newJob with Payload = [||] }, at 2026 11 27 21 50 2 "5"))
            $"schedule {readmeId} ping 5000 60000 2026-11-27T21:50:02.500Z 0\r\n\r\n"
        printed "run" (Run { Id = id1; Name = jobName "q"; Ttr = ttr 1L; Wait = wait 0L; Priority = 0; Payload = latin1 "a\r\nb" })
            $"run {readmeId} q 1 0 4\r\na\r\nb\r\n"
        printed "run with priority" (Run { Id = id1; Name = jobName "q"; Ttr = ttr 1L; Wait = wait 9L; Priority = 1; Payload = [||] })
            $"run {readmeId} q 1 9 0 -priority=1\r\n\r\n"
        printed "result" (Result(id1, wait 0L)) $"result {readmeId} 0\r\n"
        printed "lease" (Lease([ jobName "low"; jobName "high" ], wait 0L)) "lease low high 0\r\n"
        printed "complete" (Complete(id1, latin1 "pong")) $"complete {readmeId} 4\r\npong\r\n"
        printed "fail" (Fail(id2, [||])) "fail 0f6a7d2e-52b1-4c1e-9a57-3f0c2b9d8e11 0\r\n\r\n"
        printed "delete" (Delete id1) $"delete {readmeId}\r\n"
        printed "inspect job" (Inspect(InspectJob id1)) $"inspect job {readmeId}\r\n"
        printed "inspect jobs" (Inspect(InspectJobs(jobName "q", { Offset = 3u; Limit = 100 }))) "inspect jobs q 3 100\r\n"
        printed "inspect scheduled-jobs" (Inspect(InspectScheduledJobs(jobName "q", { Offset = UInt32.MaxValue; Limit = 1 })))
            "inspect scheduled-jobs q 4294967295 1\r\n"
        printed "inspect queue" (Inspect(InspectQueue(jobName "ping"))) "inspect queue ping\r\n"
        printed "inspect queues" (Inspect(InspectQueues { Offset = 0u; Limit = 10 })) "inspect queues 0 10\r\n"
        printed "inspect server" (Inspect InspectServer) "inspect server\r\n"
    ]

[<Tests>]
let tests =
    testList "protocol" [
        framing
        commands
        testList "errors" [ unknown; flags; args; fields; flagValues ]
        values
        replies
        commandWriter
    ]
