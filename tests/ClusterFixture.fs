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
let electionTimeout = "300-600"

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

/// Waits until every running member has applied what the leader has committed, and has
/// the leader's committed state.
let converged (c: TestCluster) : Task<unit> =
    task {
        let! l = leader c
        do! waitUntil 30.0 "the members to apply every committed entry and agree" (fun () ->
            let target = l.Node.CommitIndex
            let members = running c
            members |> List.forall (fun m -> m.Node.AppliedIndex >= target)
            && (let states = members |> List.map (fun m -> durableBytes m.Node.State.Current.State)
                states |> List.forall (fun s -> s = states.Head)))
    }

/// The job ids in a member's committed state.
let jobIds (m: Member) =
    m.Node.State.Current.State.Jobs |> Seq.map (fun kv -> kv.Key.ToString()) |> Set.ofSeq
