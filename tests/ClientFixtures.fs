/// Stand-ins for the client tests: a relay that can cut the connections it carries, and
/// a scripted server that answers with canned bytes.
module Workq.Tests.ClientFixtures

open System
open System.Collections.Concurrent
open System.Net
open System.Net.Sockets
open System.Threading
open System.Threading.Tasks
open Workq.Tests.TcpTestClient

/// Relays every connection made to `EndPoint` to `target`, byte for byte; `CutAll`
/// closes all of them at once, as a network failure or a restarted server would.
type Relay(target: IPEndPoint) =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    let stop = new CancellationTokenSource()
    let sockets = ConcurrentQueue<Socket>()
    let accepted = ref 0

    let pump (from: Socket) (into: Socket) : Task =
        task {
            let buf = Array.zeroCreate 65536
            try
                let mutable fin = false
                while not fin do
                    let! n = from.ReceiveAsync(Memory(buf), SocketFlags.None, stop.Token)
                    if n = 0 then
                        fin <- true
                    else
                        let mutable sent = 0
                        while sent < n do
                            let! m = into.SendAsync(ReadOnlyMemory(buf, sent, n - sent), SocketFlags.None, stop.Token)
                            sent <- sent + m
                into.Shutdown SocketShutdown.Send
            with _ ->
                // One side is gone (or cut): so is the other.
                from.Close()
                into.Close()
        }

    let acceptLoop () : Task =
        task {
            try
                while not stop.IsCancellationRequested do
                    let! near = listener.AcceptSocketAsync(stop.Token)
                    let far = new Socket(SocketType.Stream, ProtocolType.Tcp)
                    far.NoDelay <- true
                    do! far.ConnectAsync(target)
                    sockets.Enqueue near
                    sockets.Enqueue far
                    Interlocked.Increment(&accepted.contents) |> ignore
                    pump near far |> ignore
                    pump far near |> ignore
            with _ -> ()
        }

    do
        listener.Start()
        acceptLoop () |> ignore

    member _.EndPoint = listener.LocalEndpoint :?> IPEndPoint
    member _.Address = $"127.0.0.1:{(listener.LocalEndpoint :?> IPEndPoint).Port}"

    /// Connections accepted so far.
    member _.Accepted = accepted.Value

    /// Closes every relayed connection, both ends.
    member _.CutAll() =
        let mutable s = Unchecked.defaultof<Socket>
        while sockets.TryDequeue(&s) do
            s.Close()

    interface IDisposable with
        member this.Dispose() =
            stop.Cancel()
            listener.Stop()
            this.CutAll()

/// A server that reads request lines (no data blocks) and answers each with
/// `reply line`, raw bytes (one char per byte).
type ScriptedServer(reply: string -> string) =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    let stop = new CancellationTokenSource()
    let connections = ConcurrentQueue<Client>()
    let accepted = ref 0

    let serve (c: Client) : Task =
        task {
            try
                while not stop.IsCancellationRequested do
                    let! line = readLine c
                    do! send c (reply line)
            with _ -> close c
        }

    let acceptLoop () : Task =
        task {
            try
                while not stop.IsCancellationRequested do
                    let! socket = listener.AcceptSocketAsync(stop.Token)
                    let c = new Client(socket, Timeout = TimeSpan.FromMinutes 5.0)
                    connections.Enqueue c
                    Interlocked.Increment(&accepted.contents) |> ignore
                    serve c |> ignore
            with _ -> ()
        }

    do
        listener.Start()
        acceptLoop () |> ignore

    member _.Address = $"127.0.0.1:{(listener.LocalEndpoint :?> IPEndPoint).Port}"

    /// Connections accepted so far.
    member _.Accepted = accepted.Value

    interface IDisposable with
        member _.Dispose() =
            stop.Cancel()
            listener.Stop()
            for c in connections do
                close c
