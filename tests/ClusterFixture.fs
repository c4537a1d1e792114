/// Clusters of in-process servers on loopback ports, each member with a directory of its
/// own, for tests; and the ways to look at them (who leads, each member's state).
module Workq.Tests.ClusterFixture

open System
open System.Buffers
open System.IO
open System.Net
open System.Net.Sockets
open System.Threading.Tasks
open Microsoft.Extensions.DependencyInjection
open Expecto
open Workq.Domain
open Workq.Host
open Workq.Host.Cluster
open Workq.Tests.ServerFixture

/// Free ports below the kernel's ephemeral range, where it hands out the ports of every
/// `listen 127.0.0.1:0` and of outgoing connections: a Raft address names its member, so
/// it cannot be port 0, and a port just freed by the kernel could be handed out again.
let freePorts (n: int) =
    let random = Random.Shared
    let isFree port =
        try
            let l = new TcpListener(IPAddress.Loopback, port)
            l.Start()
            l.Stop()
            true
        with :? SocketException -> false
    let rec pick (chosen: int list) =
        if chosen.Length = n then chosen
        else
            let port = random.Next(20000, 32000)
            if List.contains port chosen || not (isFree port) then pick chosen else pick (port :: chosen)
    pick []

/// Election timeouts for tests: generous, so that a loaded machine makes no spurious elections.
let electionTimeout = "1000-2000"

type Member =
    { Raft: string
      Dir: string
      mutable Server: RunningServer option }

    member m.Running = m.Server |> Option.defaultWith (fun () -> failtestf "member %s is not running" m.Raft)
    member m.Node = m.Running.Host.Services.GetRequiredService<ClusterNode>()
    member m.Client = m.Running.EndPoint

type TestCluster =
    { Root: string
      Members: Member list
      /// `-cluster-peers`: the founding members.
      Peers: string
      Extra: string list }

let memberArgs (peers: string) (extra: string list) (m: Member) =
    [| "--listen"; "127.0.0.1:0"; "--cmdlog-path"; m.Dir; "--cluster-listen"; m.Raft; "--cluster-peers"; peers
       "--cluster-election-timeout"; electionTimeout
       yield! extra |]

/// Starts (or restarts) a member on its directory.
let start (c: TestCluster) (m: Member) : Task<unit> =
    task {
        let! server = startServer (memberArgs c.Peers c.Extra m)
        m.Server <- Some server
    }

/// Stops a member as a shutdown does.
let stop (m: Member) : Task<unit> =
    task {
        match m.Server with
        | Some server ->
            m.Server <- None
            do! server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds 30.0)
        | None -> ()
    }

let newMember (root: string) (port: int) =
    { Raft = $"127.0.0.1:{port}"; Dir = Path.Combine(root, string port); Server = None }

/// Runs `body` against `n` fresh members (started, not yet with a leader), then stops
/// them and removes their directories; `extra` flags go to every member.
let withCluster (n: int) (extra: string list) (body: TestCluster -> Task<unit>) : Task<unit> =
    task {
        let root = Path.Combine(Path.GetTempPath(), "workq-cluster-" + Guid.NewGuid().ToString "N")
        let members = freePorts n |> List.map (newMember root)
        let c = { Root = root; Members = members; Peers = members |> List.map _.Raft |> String.concat ","; Extra = extra }
        let cleanup () =
            task {
                for m in c.Members do
                    try
                        do! stop m
                    with _ -> ()
                try
                    Directory.Delete(root, true)
                with _ -> ()
            }
        do!
            tryFinallyTask
                (fun () ->
                    task {
                        let! _ = c.Members |> List.map (start c) |> Task.WhenAll
                        do! body c
                    })
                cleanup
    }

/// Waits (up to `seconds`) until `condition` holds; fails with `what` otherwise.
let waitUntil (seconds: float) (what: string) (condition: unit -> bool) : Task<unit> =
    task {
        let deadline = DateTime.UtcNow.AddSeconds seconds
        while not (condition ()) do
            if DateTime.UtcNow > deadline then failtestf "waited %.0f s for %s" seconds what
            do! Task.Delay 50
    }

let running (c: TestCluster) = c.Members |> List.filter _.Server.IsSome

/// The member that serves clients, once there is one (up to 30 s).
let leader (c: TestCluster) : Task<Member> =
    task {
        do! waitUntil 30.0 "a leader that serves" (fun () -> running c |> List.exists _.Node.Leads)
        return running c |> List.find _.Node.Leads
    }

/// A member's committed state as its snapshot's bytes: equal bytes, equal jobs and counters.
let durableBytes (state: State) =
    let out = ArrayBufferWriter<byte>()
    CommandLog.Snapshot.write out state
    out.WrittenSpan.ToArray()

/// Waits until every running member has applied what the leader has committed, then
/// fails unless they all hold the same state (said apart by index and jobs if not).
let converged (c: TestCluster) : Task<unit> =
    task {
        let! l = leader c
        let target = l.Node.CommitIndex
        do! waitUntil 30.0 $"the members to apply the entries up to {target}" (fun () ->
            running c |> List.forall (fun m -> m.Node.AppliedIndex >= target))
        // Entries may still come (the leader's timers): states are compared as sampled at
        // one index on every member, and a sample that catches one member an entry ahead is
        // taken again.
        let sample () = running c |> List.map (fun m -> m.Raft, m.Node.State.Current)
        let sameIndex (s: (_ * Workq.Host.Cluster.Applied) list) = s |> List.forall (fun (_, a) -> a.Index = (snd s.Head).Index)
        let deadline = DateTime.UtcNow.AddSeconds 10.0
        let mutable taken = sample ()
        while not (sameIndex taken) && DateTime.UtcNow < deadline do
            do! Task.Delay 50
            taken <- sample ()
        let described () =
            taken
            |> List.map (fun (address, a) -> $"{address}: index {a.Index}, {a.State.Jobs.Count} jobs")
            |> String.concat "; "
        if not (sameIndex taken) then
            failtestf "the members did not reach one index in 10 s: %s" (described ())
        let bytes = taken |> List.map (fun (_, a) -> durableBytes a.State)
        if not (bytes |> List.forall (fun b -> b = bytes.Head)) then
            failtestf "the members hold different states at one index: %s" (described ())
    }

/// The job ids in a member's committed state.
let jobIds (m: Member) =
    m.Node.State.Current.State.Jobs |> Seq.map (fun kv -> kv.Key.ToString()) |> Set.ofSeq

/// The client addresses of the running members.
let clientAddresses (c: TestCluster) = running c |> List.map (fun m -> m.Client.ToString())

/// Writers that add jobs through a client of every member given, until stopped, and
/// remember what was acknowledged (and when). A write whose connection broke has an
/// unknown outcome: it is not counted, and the writer goes on with a new job.
type Load(addresses: string list, writers: int, payload: int, ttr: TimeSpan) =
    let client = new Workq.Client.WorkqClient(addresses)
    let acked = System.Collections.Concurrent.ConcurrentQueue<DateTime * Guid>()
    let cts = new System.Threading.CancellationTokenSource()
    let data = String('x', payload)
    let write () =
        task {
            while not cts.IsCancellationRequested do
                let id = Guid.CreateVersion7()
                let job =
                    Workq.Client.BackgroundJob(
                        Id = id, Name = "load", Ttr = ttr, Ttl = TimeSpan.FromHours 1.0, PayloadText = data)
                try
                    let! _ = client.AddAsync(job, cts.Token)
                    acked.Enqueue((DateTime.UtcNow, id))
                with
                | :? Workq.Client.WorkqConnectionException -> do! Task.Delay 20
                | :? OperationCanceledException when cts.IsCancellationRequested -> ()
        }
    let writing = Array.init writers (fun _ -> Task.Run<unit>(fun () -> write ()))

    new(addresses, writers, payload) = Load(addresses, writers, payload, TimeSpan.FromMinutes 1.0)
    new(addresses, writers) = Load(addresses, writers, 4)

    /// The ids acknowledged so far.
    member _.Acked = acked |> Seq.map (fun (_, id) -> string id) |> List.ofSeq

    /// How many writes were acknowledged after `t`.
    member _.AckedSince(t: DateTime) = acked |> Seq.filter (fun (at, _) -> at > t) |> Seq.length

    member _.StopAsync() : Task<unit> =
        task {
            cts.Cancel()
            let! _ = Task.WhenAll writing
            client.Dispose()
        }

/// Fails unless every id in `acked` is among the member's jobs.
let hasAll (acked: string list) (m: Member) =
    let jobs = jobIds m
    let missing = acked |> List.filter (fun id -> not (jobs.Contains id))
    Expect.isEmpty missing $"acknowledged writes missing on {m.Raft} ({acked.Length} acknowledged)"

/// Workers that lease `load` jobs through a client of every member given and complete
/// them, until stopped, and remember every lease they were granted. A request whose
/// connection broke has an unknown outcome: the worker goes on with a new lease.
type Workers(addresses: string list, count: int) =
    let client = new Workq.Client.WorkqClient(addresses)
    let leases = System.Collections.Concurrent.ConcurrentQueue<Guid>()
    let failures = System.Collections.Concurrent.ConcurrentQueue<exn>()
    let cts = new System.Threading.CancellationTokenSource()
    let work () =
        task {
            while not cts.IsCancellationRequested do
                try
                    let! job = client.LeaseAsync("load", TimeSpan.FromSeconds 1.0, cts.Token)
                    match job with
                    | null -> ()
                    | job ->
                        leases.Enqueue job.Id
                        do! client.CompleteAsync(job.Id, "done", cts.Token)
                with
                | :? Workq.Client.WorkqConnectionException -> do! Task.Delay 20
                | :? Workq.Client.WorkqTimeoutException -> ()
                | :? OperationCanceledException when cts.IsCancellationRequested -> ()
                | e -> failures.Enqueue e
        }
    let working = Array.init count (fun _ -> Task.Run<unit>(fun () -> work ()))

    /// The jobs leased, once per lease granted.
    member _.Leases = List.ofSeq leases

    /// What went wrong besides broken connections.
    member _.Failures = List.ofSeq failures

    member _.StopAsync() : Task<unit> =
        task {
            cts.Cancel()
            let! _ = Task.WhenAll working
            client.Dispose()
        }

/// Fails if a job was leased more than once: each lease lasts longer than the test, and
/// a worker is told of a lease only once a majority has it.
let leasedOnce (leases: Guid list) =
    let twice = leases |> List.countBy id |> List.filter (fun (_, n) -> n > 1)
    Expect.isEmpty twice $"jobs leased more than once ({leases.Length} leases)"
