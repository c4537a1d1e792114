/// Clusters of three `workq-server` processes on loopback ports, under writes and
/// workers, while members are killed (SIGKILL) and paused (SIGSTOP, then SIGCONT): what
/// only separate processes show. Afterwards the members' directories are opened by an
/// in-process cluster, whose members must all hold the same state and every acknowledged
/// job. Timing is never asserted: every wait is generous.
module Workq.Tests.ClusterProcessTests

open System
open System.IO
open System.Net
open System.Runtime.InteropServices
open System.Threading
open System.Threading.Tasks
open Expecto
open Workq.Client
open Workq.Tests.ServerFixture
open Workq.Tests.ServerProcess
open Workq.Tests.ClusterFixture

module private Signals =
    [<DllImport("libc", SetLastError = true)>]
    extern int kill(int pid, int signal)

    let term = 15
    let stop = 19
    let cont = 18

let private signal (sp: ServerProcess) (number: int) =
    if Signals.kill (sp.Process.Id, number) <> 0 then
        failtestf "kill(%d, %d) failed: errno %d" sp.Process.Id number (Marshal.GetLastPInvokeError())

/// Election timeouts for these tests: long enough that a loaded machine makes few
/// spurious elections, short enough that a pause of a few seconds deposes a leader.
let private electionTimeout = "500-1000"

/// How long a member stays paused: several election timeouts.
let private pause = TimeSpan.FromSeconds 3.0

type private Node =
    { Raft: string
      Client: string
      Dir: string
      mutable Process: ServerProcess option }

    member n.Running = n.Process |> Option.defaultWith (fun () -> failtestf "%s is not running" n.Raft)

type private ProcessCluster = { Root: string; Nodes: Node list; Peers: string }

let private launchNode (c: ProcessCluster) (n: Node) : Task<unit> =
    task {
        let sp =
            launch
                [ "--listen"; n.Client; "--http-listen"; "none"; "--cmdlog-path"; n.Dir
                  "--cluster-listen"; n.Raft; "--cluster-peers"; c.Peers
                  "--cluster-election-timeout"; electionTimeout ]
        n.Process <- Some sp
        let! _ = endPointOf sp
        ()
    }

/// SIGKILL: nothing of the member's shutdown runs.
let private killNode (n: Node) : Task<unit> =
    task {
        match n.Process with
        | Some sp ->
            n.Process <- None
            do! kill sp
            sp.Process.Dispose()
        | None -> ()
    }

/// SIGTERM, and its exit.
let private stopNode (n: Node) : Task<unit> =
    task {
        match n.Process with
        | Some sp ->
            n.Process <- None
            if not sp.Process.HasExited then signal sp Signals.term
            let! exited = Task.WhenAny(sp.Process.WaitForExitAsync(), Task.Delay 30_000)
            ignore exited
            if not sp.Process.HasExited then
                do! kill sp
                failtestf "%s did not stop within 30 s of SIGTERM; its output:\n%s" n.Raft sp.Text
            sp.Process.Dispose()
        | None -> ()
    }

/// Who serves clients, asked of each running member that is not `except` (a paused one
/// would not answer): the member other than `except` whose client address a member names
/// as its leader (an answer relayed just before a pause may still name the paused one).
let private leaderOf (c: ProcessCluster) (except: Node option) : Task<Node> =
    task {
        let deadline = DateTime.UtcNow.AddSeconds 60.0
        let mutable found = None
        while found.IsNone do
            if DateTime.UtcNow > deadline then failtest "no leader within 60 s"
            for n in c.Nodes do
                if found.IsNone && n.Process.IsSome && not (except |> Option.exists (fun e -> obj.ReferenceEquals(e, n))) then
                    try
                        use client = new WorkqClient(n.Client)
                        use timeout = new CancellationTokenSource(TimeSpan.FromSeconds 5.0)
                        let! server = client.InspectServerAsync(timeout.Token)
                        match server.Role, server.Leader with
                        | NonNull "leader", NonNull leader ->
                            found <-
                                c.Nodes
                                |> List.tryFind (fun m ->
                                    m.Client = leader && m.Process.IsSome && not (except |> Option.exists (fun e -> obj.ReferenceEquals(e, m))))
                        | _ -> ()
                    with
                    | :? WorkqConnectionException
                    | :? OperationCanceledException -> ()
            if found.IsNone then do! Task.Delay 100
        return found.Value
    }

let private othersThan (c: ProcessCluster) (n: Node) = c.Nodes |> List.filter (fun m -> not (obj.ReferenceEquals(m, n)))

/// Waits until `count` writes more than `before` are acknowledged.
let private acknowledged (load: Load) (what: string) (count: int) : Task<unit> =
    let target = load.Acked.Length + count
    waitUntil 90.0 what (fun () -> load.Acked.Length >= target)

/// One disturbance of the cluster under load: it must serve again afterwards.
type private Round =
    | KillLeader
    | PauseLeader
    | KillFollower
    | PauseFollower

let private play (c: ProcessCluster) (load: Load) (round: Round) : Task<unit> =
    task {
        let! leader = leaderOf c None
        let victim =
            match round with
            | KillLeader | PauseLeader -> leader
            | KillFollower | PauseFollower -> othersThan c leader |> List.head
        match round with
        | KillLeader | KillFollower ->
            do! killNode victim
            do! acknowledged load $"writes after {round} of {victim.Raft}" 20
            do! launchNode c victim
        | PauseLeader | PauseFollower ->
            let sp = victim.Running
            signal sp Signals.stop
            do!
                tryFinallyTask
                    (fun () -> task {
                        if round = PauseLeader then
                            // The others elect a leader among themselves while it sleeps (or the test fails after 60 s).
                            let! _ = leaderOf c (Some victim)
                            ()
                        do! Task.Delay pause
                    })
                    (fun () -> task { signal sp Signals.cont })
        do! acknowledged load $"writes after {round} of {victim.Raft}" 20
    }

/// Starts three member processes, plays `rounds` under writers and workers, then checks
/// the members' directories with an in-process cluster: every member holds the same
/// state, every acknowledged job, and no job was leased twice.
let private chaos (rounds: Round list) : Task<unit> =
    task {
        let root = Path.Combine(Path.GetTempPath(), "workq-cluster-processes-" + Guid.NewGuid().ToString "N")
        let ports = freePorts 6
        let nodes =
            [ for raft, client in List.zip (List.take 3 ports) (List.skip 3 ports) ->
                  { Raft = $"127.0.0.1:{raft}"; Client = $"127.0.0.1:{client}"; Dir = Path.Combine(root, string raft); Process = None } ]
        let c = { Root = root; Nodes = nodes; Peers = nodes |> List.map _.Raft |> String.concat "," }
        let clients = nodes |> List.map _.Client
        let cleanup () =
            task {
                for n in nodes do
                    match n.Process with
                    | Some sp ->
                        try signal sp Signals.cont with _ -> ()
                        do! killNode n
                    | None -> ()
                try
                    Directory.Delete(root, true)
                with _ -> ()
            }
        do!
            tryFinallyTask
                (fun () -> task {
                    let! _ = nodes |> List.map (launchNode c) |> Task.WhenAll
                    let! _ = leaderOf c None
                    // Leases last longer than the test: a job leased twice is a lease lost.
                    let load = Load(clients, 4, 64, TimeSpan.FromMinutes 10.0)
                    let workers = Workers(clients, 2)
                    do! acknowledged load "writes before the first round" 50
                    for round in rounds do
                        do! play c load round
                    do! load.StopAsync()
                    do! workers.StopAsync()
                    let acked = load.Acked
                    let leases = workers.Leases
                    Expect.isEmpty workers.Failures "workers failed only by broken connections"
                    Expect.isNonEmpty leases "jobs were leased"
                    leasedOnce leases
                    for n in nodes do
                        do! stopNode n

                    // The same directories and Raft addresses, in process, where each
                    // member's state can be seen.
                    let inProcess =
                        { TestCluster.Root = root
                          Members = nodes |> List.map (fun n -> { Member.Raft = n.Raft; Dir = n.Dir; Server = None })
                          Peers = c.Peers
                          Extra = [] }
                    do!
                        tryFinallyTask
                            (fun () -> task {
                                let! _ = inProcess.Members |> List.map (start inProcess) |> Task.WhenAll
                                do! converged inProcess
                                for m in inProcess.Members do
                                    hasAll acked m
                            })
                            (fun () -> task {
                                for m in inProcess.Members do
                                    do! stop m
                            })
                })
                cleanup
    }

/// Run with the in-process cluster tests (ClusterTests), one at a time.
let processes =
    testList "processes" [
        testTask "leaders and followers killed and paused under writes and workers: nothing acknowledged is lost, no job is leased twice, the members agree" {
            do! chaos [ KillLeader; PauseFollower; PauseLeader; KillFollower; KillLeader ]
        }

        // Regression: a deposed leader whose stored term was already raised must not stamp
        // an entry with the new term, which would pass for the new leader's own entry at
        // that index and be applied on that member alone.
        testTask "the leader paused again and again under steady writes: every member applies the same log" {
            do! chaos [ PauseLeader; PauseLeader; PauseLeader; PauseLeader; PauseLeader ]
        }
    ]
