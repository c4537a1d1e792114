/// What a careless or hostile client can hold of the server, over TCP: memory per
/// connection, unread replies, unfinished requests, too many connections and too many
/// stored bytes. Memory is asserted from the server's own account (`inspect server`),
/// never from timing.
module Workq.Tests.BoundedMemoryTests

open System
open System.Net
open System.Net.Sockets
open System.Threading.Tasks
open Expecto
open Workq.Tests.TcpTestClient
open Workq.Tests.IntegrationTests
open Workq.Tests.ServerFixture

/// Buffer sizes of the server (Network/Connection.cs): a connection's own small buffer, and the pipes' blocks.
let private firstBuffer = 2048L
let private block = 16384L

/// Runs `body` against a fresh server started with `extra` flags.
let private withFlags (extra: string list) (body: IPEndPoint -> Task<unit>) =
    task {
        let! server = startServer (Array.append serverArgs (Array.ofList extra))
        do! tryFinallyTask (fun () -> body server.EndPoint) (fun () -> task { do! server.DisposeAsync() })
    }

let private flagsTest name extra body =
    testCaseAsync name (withFlags extra body |> Async.AwaitTask)

let private stat (c: Client) key =
    task {
        let! v = serverStat c key
        return int64 v
    }

/// Sends `text` a byte at a time, each byte its own send.
let private drip (c: Client) (text: string) =
    task {
        for ch in text do
            do! send c (string ch)
    }

let private perConnection =
    testList "memory per connection" [
        flagsTest "a request that arrives a byte at a time holds about its own size, not a buffer per byte" [] (fun ep ->
            task {
                use! c = connect ep
                let id = newId ()
                let payload = String('d', 20_000)
                do! drip c $"add {id} q 60000 60000 {payload.Length}\r\n"
                do! drip c payload
                do! call c "\r\n" ok
                // Its own size, the small buffer, and the blocks it filled and one more
                // (a receive into a fresh block for every byte held 16 KiB per byte).
                let! peak = stat c "connection-bytes-peak"
                Expect.isLessThanOrEqual peak (int64 payload.Length + firstBuffer + 3L * block) "the most one connection held"
                let! stored = stat c "stored-bytes"
                Expect.equal stored 20_000L "the job is stored"
            })

        flagsTest "many slow senders hold what they sent and a buffer each" [] (fun ep ->
            task {
                let n = 50
                use! senders = connectMany ep n
                use! observer = connect ep
                let ids = [| for _ in 1..n -> newId () |]
                let lines = ids |> Array.map (fun id -> $"add {id} slow 60000 60000 4\r\nslow\r\n")
                // Thirty rounds of one byte from each.
                for i in 0..29 do
                    for s, line in Array.zip senders.All lines do
                        do! send s (string line[i])
                // Once every sender's bytes are in (each then holds a block), the total
                // is what they sent and a block and a small buffer each.
                do!
                    eventually 10_000 "every sender's first bytes received" (fun () ->
                        task {
                            let! total = stat observer "connection-bytes"
                            return total >= int64 n * (firstBuffer + block)
                        })
                let! total = stat observer "connection-bytes"
                Expect.isLessThanOrEqual total (int64 (n + 1) * (firstBuffer + 2L * block)) "the bytes all connections hold"
                // And the server goes on: every sender finishes its request.
                for s, line in Array.zip senders.All lines do
                    do! send s line[30..]
                for s in senders.All do
                    do! expect s ok
            })

        flagsTest "a connection that sent a large request gives its buffers back" [] (fun ep ->
            task {
                use! c = connect ep
                do! call c (addReq (newId ()) "big" 60000 60000 (String('b', 1_048_576)) []) ok
                let! peak = stat c "connection-bytes-peak"
                Expect.isGreaterThan peak 1_048_576L "it held the request"
                // Between requests: the small buffer, and the block its inspect arrived in.
                do!
                    eventually 10_000 "the buffers handed back" (fun () ->
                        task {
                            let! held = stat c "connection-bytes-max"
                            return held <= firstBuffer + block
                        })
            })
    ]

let private unreadReplies =
    testList "replies that are not read" [
        flagsTest "a client that never reads holds at most twice the cap and one job; the others go on"
            [ "--max-unsent-bytes"; "262144" ]
            (fun ep ->
                task {
                    use! c = connect ep
                    let jobBytes = 200_000
                    for _ in 1..20 do
                        do! call c (addReq (newId ()) "big" 60000 60000 (String('j', jobBytes)) []) ok
                    // Twenty pages of 4 MB, then an add, and never a read.
                    let late = newId ()
                    let hog = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                    hog.ReceiveBufferSize <- 65536
                    do! hog.ConnectAsync(ep)
                    let requests = String.replicate 20 "inspect jobs big 0 100\r\n" + addReq late "q" 60000 60000 "late" []
                    let! _ = hog.SendAsync(ReadOnlyMemory(bytesOf requests), SocketFlags.None)
                    // Its sender is stuck on a full socket holding at least a record.
                    do!
                        eventually 10_000 "the hog's sender blocked" (fun () ->
                            task {
                                let! held = stat c "connection-bytes-max"
                                return held >= int64 jobBytes
                            })
                    let! peak = stat c "connection-bytes-peak"
                    Expect.isLessThanOrEqual peak (2L * 262144L + int64 jobBytes + firstBuffer + 2L * block) "the most the hog held"
                    // Its requests past the cap were never read: the add did not happen.
                    do! call c $"inspect job {late}\r\n" notFound
                    // Everyone else is served meanwhile.
                    let other = newId ()
                    do! call c (addReq other "q" 60000 60000 "other" []) ok
                    do! call c "lease q 0\r\n" (leased other "q" 60000 "other")
                    // Gone, it holds nothing.
                    hog.Dispose()
                    do!
                        eventually 10_000 "the hog's buffers handed back" (fun () ->
                            task {
                                let! total = stat c "connection-bytes"
                                return total <= firstBuffer + block
                            })
                    do! call c $"inspect job {late}\r\n" notFound
                })
    ]

let private timeouts =
    testList "request timeout" [
        flagsTest "an unfinished line or payload times out; idle and waiting connections do not"
            [ "--request-timeout"; "400" ]
            (fun ep ->
                task {
                    use! idle = connect ep
                    use! worker = connect ep
                    use! line = connect ep
                    use! payload = connect ep
                    use! behind = connect ep
                    do! call idle "inspect queues 0 1\r\n" "+OK 0\r\n"
                    do! send worker "lease none 1500\r\n"
                    do! send line $"add {newId ()} q 60000 60000 4"
                    do! send payload $"add {newId ()} q 60000 60000 4\r\nab"
                    // After a waiting lease: its answer first, then the timeout's.
                    do! send behind $"lease none 1000\r\nadd {newId ()} q"
                    let timedOut = clientError "Request timed out"
                    do! expect line timedOut
                    do! expectClosed line
                    do! expect payload timedOut
                    do! expectClosed payload
                    do! expect behind timeout
                    do! expect behind timedOut
                    do! expectClosed behind
                    // Waiting in lease longer than the timeout is not an unfinished request.
                    do! expect worker timeout
                    do! call worker "inspect queues 0 1\r\n" "+OK 0\r\n"
                    do! call idle "inspect queues 0 1\r\n" "+OK 0\r\n"
                    let! count = stat idle "timed-out-requests"
                    Expect.equal count 3L "timed-out-requests"
                })
    ]

let private limits =
    testList "limits" [
        flagsTest "one connection more than allowed is answered and closed" [ "--max-connections"; "2" ] (fun ep ->
            task {
                use! a = connect ep
                let! b = connect ep
                do! call a "inspect queues 0 1\r\n" "+OK 0\r\n"
                do! call b "inspect queues 0 1\r\n" "+OK 0\r\n"
                use! refused = connect ep
                do! expect refused "-SERVER-ERROR Too many connections\r\n"
                do! expectClosed refused
                let! rejected = stat a "rejected-connections"
                Expect.equal rejected 1L "rejected-connections"
                // A place freed is a place taken.
                close b
                do!
                    eventually 10_000 "a new connection served" (fun () ->
                        task {
                            use! c = connect ep
                            do! send c "inspect queues 0 1\r\n"
                            let! line = readLine c
                            return line = "+OK 0"
                        })
            })

        flagsTest "past the stored-bytes limit new jobs are refused; results, deletes and reads go on"
            [ "--max-stored-bytes"; "100" ]
            (fun ep ->
                task {
                    use! c = connect ep
                    let a, b = newId (), newId ()
                    let refused = "-SERVER-ERROR Out of memory: stored payloads and results would exceed 100 bytes\r\n"
                    do! call c (addReq a "q" 60000 60000 (String('a', 60)) []) ok
                    do! call c (addReq b "q" 60000 60000 (String('b', 60)) []) refused
                    do! call c $"inspect job {b}\r\n" notFound
                    do! call c (scheduleReq b "q" 60000 60000 "2030-01-01T00:00:00Z" (String('b', 60)) []) refused
                    do! send c $"run {b} q 60000 1000 60\r\n{String('b', 60)}\r\n"
                    do! expect c refused
                    // Work in hand finishes, past the limit.
                    do! call c "lease q 0\r\n" (leased a "q" 60000 (String('a', 60)))
                    do! call c (completeReq a (String('r', 200))) ok
                    let! stored = stat c "stored-bytes"
                    Expect.equal stored 260L "stored-bytes"
                    do! call c $"result {a} 0\r\n" (resultOf a true (String('r', 200)))
                    do! call c $"delete {a}\r\n" ok
                    do! call c (addReq b "q" 60000 60000 (String('b', 60)) []) ok
                })
    ]

[<Tests>]
let tests = testList "bounded memory" [ perConnection; unreadReplies; timeouts; limits ]
