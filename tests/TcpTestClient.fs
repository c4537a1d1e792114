/// A small raw-bytes TCP client for the integration tests. Every read has a
/// timeout, so a server that never answers fails the test instead of hanging it.
module Workq.Tests.TcpTestClient

open System
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks
open Expecto

/// Bytes <-> string one to one (every byte is one char), so text can hold any bytes.
let latin1 = Encoding.Latin1

let bytesOf (s: string) = latin1.GetBytes s
let textOf (b: byte[]) = latin1.GetString b

/// Shows bytes readably in failure messages: CR, LF, NUL and other controls escaped,
/// long texts cut.
let show (s: string) =
    let sb = StringBuilder()
    for c in (if s.Length > 400 then s.Substring(0, 400) else s) do
        match c with
        | '\r' -> sb.Append "\\r" |> ignore
        | '\n' -> sb.Append "\\n" |> ignore
        | c when c < ' ' || c > '~' -> sb.AppendFormat("\\x{0:x2}", int c) |> ignore
        | c -> sb.Append c |> ignore
    if s.Length > 400 then sb.AppendFormat("… ({0} bytes)", s.Length) |> ignore
    sb.ToString()

/// How long any single read may wait before the test fails.
let defaultTimeout = TimeSpan.FromSeconds 10.0

/// A connection: the socket, or a stream over it (TLS) that every read and write goes through.
type Client(socket: Socket, stream: IO.Stream option) =
    // Received bytes not yet handed out: buf[start .. stop-1].
    let mutable buf: byte[] = Array.zeroCreate 65536
    let mutable start = 0
    let mutable stop = 0

    new(socket: Socket) = new Client(socket, None)

    member _.Socket = socket
    member _.Stream = stream
    member val Timeout = defaultTimeout with get, set
    member _.Buffered = stop - start

    /// Receives more bytes into the buffer; 0 means the server closed (or reset) it.
    member this.Fill(timeout: TimeSpan) : Task<int> =
        task {
            if start > 0 && start = stop then
                start <- 0
                stop <- 0
            if stop = buf.Length then
                let bigger = Array.zeroCreate (max buf.Length ((stop - start) * 2))
                Array.blit buf start bigger 0 (stop - start)
                stop <- stop - start
                start <- 0
                buf <- bigger
            use cts = new CancellationTokenSource(timeout)
            try
                let! n =
                    match stream with
                    | Some s -> s.ReadAsync(Memory(buf, stop, buf.Length - stop), cts.Token)
                    | None -> socket.ReceiveAsync(Memory(buf, stop, buf.Length - stop), SocketFlags.None, cts.Token)
                stop <- stop + n
                return n
            with
            | :? OperationCanceledException ->
                return
                    failtestf
                        "no reply within %O (buffered so far: \"%s\")"
                        timeout
                        (show (latin1.GetString(buf, start, stop - start)))
            | :? SocketException as e when
                e.SocketErrorCode = SocketError.ConnectionReset
                || e.SocketErrorCode = SocketError.ConnectionAborted ->
                return 0
            | :? IO.IOException when stream.IsSome -> return 0
        }

    /// Takes `n` bytes off the front of the buffer.
    member _.Take(n: int) =
        let out = buf[start .. start + n - 1]
        start <- start + n
        out

    /// Index of "\r\n" in the buffer, or -1.
    member _.FindCrLf() =
        let mutable i = start
        let mutable found = -1
        while found < 0 && i + 1 < stop do
            if buf[i] = 13uy && buf[i + 1] = 10uy then found <- i
            i <- i + 1
        if found < 0 then -1 else found - start

    member _.Peek() = latin1.GetString(buf, start, stop - start)

    /// Compares the buffered bytes with `expected` from offset `from` on; returns the
    /// first differing offset, or -1 if all buffered bytes (up to its length) match.
    member _.Mismatch(expected: string, from: int) =
        let upTo = min (stop - start) expected.Length
        let mutable i = from
        while i < upTo && buf[start + i] = byte expected[i] do
            i <- i + 1
        if i < upTo then i else -1

    interface IDisposable with
        member _.Dispose() =
            stream |> Option.iter _.Dispose()
            socket.Dispose()

let connect (ep: IPEndPoint) : Task<Client> =
    task {
        let s = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        s.NoDelay <- true
        use cts = new CancellationTokenSource(defaultTimeout)
        do! s.ConnectAsync(ep, cts.Token)
        return new Client(s)
    }

let sendBytes (c: Client) (data: byte[]) : Task =
    task {
        match c.Stream with
        | Some stream ->
            do! stream.WriteAsync(ReadOnlyMemory data)
            do! stream.FlushAsync()
        | None ->
            let mutable sent = 0
            while sent < data.Length do
                let! n = c.Socket.SendAsync(ReadOnlyMemory(data, sent, data.Length - sent), SocketFlags.None)
                sent <- sent + n
    }

/// Sends a string as raw bytes (one byte per char).
let send (c: Client) (s: string) = sendBytes c (bytesOf s)

/// Reads exactly `n` bytes; fails the test if the connection closes first.
let readExactly (c: Client) (n: int) : Task<byte[]> =
    task {
        while c.Buffered < n do
            let! got = c.Fill c.Timeout
            if got = 0 then
                failtestf "connection closed after %d of %d expected bytes: \"%s\"" c.Buffered n (show (c.Peek()))
        return c.Take n
    }

/// Reads one line, returning it without its "\r\n".
let readLine (c: Client) : Task<string> =
    task {
        let mutable at = c.FindCrLf()
        while at < 0 do
            let! got = c.Fill c.Timeout
            if got = 0 then
                failtestf "connection closed before a line end: \"%s\"" (show (c.Peek()))
            at <- c.FindCrLf()
        let line = c.Take at
        c.Take 2 |> ignore
        return textOf line
    }

/// Reads exactly the bytes of `expected` and fails unless they match. Fails as soon as
/// a byte differs, without waiting for the rest.
let expect (c: Client) (expected: string) : Task =
    task {
        let want = expected.Length
        let mismatchAt () =
            let at = c.Mismatch(expected, 0)
            if at >= 0 then
                let got = c.Peek()
                failtestf
                    "expected \"%s\"\n     got \"%s\" (first difference at byte %d)"
                    (show expected) (show (got.Substring(0, min got.Length want))) at
        while c.Buffered < want do
            mismatchAt ()
            let! got = c.Fill c.Timeout
            if got = 0 then
                failtestf "expected \"%s\" but the connection closed after \"%s\"" (show expected) (show (c.Peek()))
        mismatchAt ()
        c.Take want |> ignore
    }

/// Expects the server to close the connection with nothing more sent.
let expectClosed (c: Client) : Task =
    task {
        if c.Buffered > 0 then
            failtestf "expected the connection to close, but got \"%s\"" (show (c.Peek()))
        let! got = c.Fill c.Timeout
        if got <> 0 then
            failtestf "expected the connection to close, but got \"%s\"" (show (c.Peek()))
    }

/// Expects nothing to arrive for `ms` milliseconds (the connection stays quiet).
let expectSilence (c: Client) (ms: int) : Task =
    task {
        if c.Buffered > 0 then
            failtestf "expected no reply yet, but got \"%s\"" (show (c.Peek()))
        use cts = new CancellationTokenSource(ms)
        let probe = Array.zeroCreate<byte> 1
        try
            let! n = c.Socket.ReceiveAsync(Memory probe, SocketFlags.Peek, cts.Token)
            if n = 0 then failtest "expected no reply yet, but the connection closed"
            else failtestf "expected no reply yet, but got data starting with \"%s\"" (show (textOf probe))
        with :? OperationCanceledException -> ()
    }

/// Closes a connection from the client side (as a client that goes away would).
let close (c: Client) = (c :> IDisposable).Dispose()

/// Several connections, closed together.
type Clients(clients: Client[]) =
    member _.All = clients
    interface IDisposable with
        member _.Dispose() = clients |> Array.iter close

let connectMany (ep: IPEndPoint) (n: int) : Task<Clients> =
    task {
        let! clients = Task.WhenAll [| for _ in 1..n -> connect ep |]
        return new Clients(clients)
    }
